import json
from typing import Any

import jsonschema  # type: ignore[import-untyped, unused-ignore]
import pytest

from engine.forms import (
    ErrorCode,
    Field,
    FieldError,
    FieldType,
    Form,
    LocalText,
    Option,
    Page,
    clean_form_data,
    english_message,
    form_json_schema,
    unknown_keys,
)
from engine.forms.validate import _from_schema_error

OPTIONS = (Option("a", LocalText("А")), Option("b", LocalText("Б")), Option("c", LocalText("В")))


def make(field_type: FieldType, **kwargs: Any) -> Field:
    if field_type is FieldType.CHOICE:
        kwargs.setdefault("options", OPTIONS)
        kwargs.setdefault("widget", "radio")
    if field_type is FieldType.MULTICHOICE:
        kwargs.setdefault("options", OPTIONS)
        kwargs.setdefault("widget", "checkboxes")
    return Field("f", field_type, LocalText({"uk": "Поле", "en": "Field"}), **kwargs)


def clean_one(field: Field, value: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, FieldError]]:
    form = Form.single_page("k", None, (field,))
    raw = {} if value is MISSING else {field.name: value}
    return clean_form_data(form, raw, **kwargs)


MISSING = object()

T, TA, INT, D, DT = FieldType.TEXT, FieldType.TEXTAREA, FieldType.INTEGER, FieldType.DECIMAL, FieldType.DATE
E, P, C, MC, B, F = (
    FieldType.EMAIL,
    FieldType.PHONE,
    FieldType.CHOICE,
    FieldType.MULTICHOICE,
    FieldType.BOOLEAN,
    FieldType.FILE,
)


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        (T, "  Шевченко  ", "Шевченко"),
        (TA, "рядок 1\r\nрядок 2 ", "рядок 1\nрядок 2"),
        (INT, "42", 42),
        (INT, " -7 ", -7),
        (INT, "1 000", 1000),
        (INT, 42, 42),
        (INT, 3.0, 3),
        (D, "12,5", 12.5),
        (D, "12.5", 12.5),
        (D, "7", 7.0),
        (D, 12, 12.0),
        (D, 0.25, 0.25),
        (DT, "2024-02-29", "2024-02-29"),
        (DT, "29.02.2024", "2024-02-29"),
        (DT, "1.3.2024", "2024-03-01"),
        (E, " name@example.com ", "name@example.com"),
        (E, "ім'я@пошта.укр", "ім'я@пошта.укр"),
        (P, "+38 (050) 123-45-67", "+380501234567"),
        (P, "050 123 45 67", "+380501234567"),
        (P, "+48123456789", "+48123456789"),
        (B, "yes", True),
        (B, "on", True),
        (B, "True", True),
        (B, "no", False),
        (B, "false", False),
        (B, True, True),
        (B, False, False),
        (C, " b ", "b"),
        (MC, ["c", "a", "c"], ["a", "c"]),
        (MC, "b", ["b"]),
        (MC, ("a", ""), ["a"]),
        (F, "att-123", "att-123"),
    ],
)
def test_coercion(field_type: FieldType, raw: Any, expected: Any) -> None:
    cleaned, errors = clean_one(make(field_type), raw)
    assert errors == {}
    assert cleaned == {"f": expected}
    assert type(cleaned["f"]) is type(expected)


@pytest.mark.parametrize(
    ("field", "raw", "code", "params"),
    [
        (make(INT), "1.5", ErrorCode.INVALID_INTEGER, {}),
        (make(INT), "1e3", ErrorCode.INVALID_INTEGER, {}),
        (make(INT), "abc", ErrorCode.INVALID_INTEGER, {}),
        (make(INT), True, ErrorCode.INVALID_INTEGER, {}),
        (make(INT), 1.5, ErrorCode.INVALID_INTEGER, {}),
        (make(INT), [1], ErrorCode.INVALID_TYPE, {"expected": "integer"}),
        (make(D), "12,5,1", ErrorCode.INVALID_DECIMAL, {}),
        (make(D), "1,234.5", ErrorCode.INVALID_DECIMAL, {}),
        (make(D), "nan", ErrorCode.INVALID_DECIMAL, {}),
        (make(D), float("inf"), ErrorCode.INVALID_DECIMAL, {}),
        (make(D), False, ErrorCode.INVALID_DECIMAL, {}),
        (make(DT), "2023-02-29", ErrorCode.INVALID_DATE, {}),
        (make(DT), "31.04.2024", ErrorCode.INVALID_DATE, {}),
        (make(DT), "2024/01/01", ErrorCode.INVALID_DATE, {}),
        (make(DT), "0000-01-01", ErrorCode.INVALID_DATE, {}),
        (make(DT), 20240101, ErrorCode.INVALID_TYPE, {"expected": "string"}),
        (make(E), "name@example", ErrorCode.INVALID_EMAIL, {}),
        (make(E), "name example.com", ErrorCode.INVALID_EMAIL, {}),
        (make(E), "a@b@c.com", ErrorCode.INVALID_EMAIL, {}),
        (make(P), "12345", ErrorCode.INVALID_PHONE, {}),
        (make(P), "+38050abc4567", ErrorCode.INVALID_PHONE, {}),
        (make(P, pattern=r"\+380\d{9}"), "+48123456789", ErrorCode.PATTERN, {}),
        (make(B), "maybe", ErrorCode.INVALID_BOOLEAN, {}),
        (make(B), 1, ErrorCode.INVALID_BOOLEAN, {}),
        (make(C), "d", ErrorCode.INVALID_CHOICE, {"value": "d"}),
        (make(C), ["a"], ErrorCode.INVALID_TYPE, {"expected": "string"}),
        (make(MC), ["a", "z"], ErrorCode.INVALID_CHOICE, {"value": "z"}),
        (make(MC), [1], ErrorCode.INVALID_TYPE, {"expected": "array of strings"}),
        (make(MC, min_length=2), ["a"], ErrorCode.MIN_LENGTH, {"limit": 2}),
        (make(MC, max_length=1), ["a", "b"], ErrorCode.MAX_LENGTH, {"limit": 1}),
        (make(T), 5, ErrorCode.INVALID_TYPE, {"expected": "string"}),
        (make(T, pattern=r"\d{10}"), "12345678901", ErrorCode.PATTERN, {}),
        (make(T, pattern=r"\d{10}"), "x1234567890", ErrorCode.PATTERN, {}),
        (make(T, min_length=2), " a ", ErrorCode.MIN_LENGTH, {"limit": 2}),
        (make(T, max_length=3), "abcd", ErrorCode.MAX_LENGTH, {"limit": 3}),
        (make(TA, max_length=3), "a\r\nb", None, None),  # \r\n counts as one character
        (make(INT, minimum=0.0), "-1", ErrorCode.MINIMUM, {"limit": 0}),
        (make(INT, maximum=10.0), 11, ErrorCode.MAXIMUM, {"limit": 10}),
        (make(D, minimum=0.5), "0,4", ErrorCode.MINIMUM, {"limit": 0.5}),
        (make(D, maximum=2.5), 2.5, None, None),
        (make(F), "att-404", ErrorCode.UNKNOWN_ATTACHMENT, {"value": "att-404"}),
    ],
)
def test_errors(field: Field, raw: Any, code: ErrorCode | None, params: dict[str, Any] | None) -> None:
    cleaned, errors = clean_one(field, raw, attachment_exists=lambda attachment_id: attachment_id != "att-404")
    if code is None:
        assert errors == {}
        return
    assert errors == {"f": FieldError(code, params or {})}
    assert cleaned == {}
    assert json.loads(json.dumps(errors["f"].to_dict())) == {"code": code.value, "params": params}


@pytest.mark.parametrize("field_type", [T, TA, INT, D, DT, E, P, C, MC, B, F])
@pytest.mark.parametrize("raw", [MISSING, None, "", "   ", []])
def test_required(field_type: FieldType, raw: Any) -> None:
    if raw == [] and field_type is not MC:
        raw = MISSING
    cleaned, errors = clean_one(make(field_type, required=True), raw)
    assert (cleaned, errors) == ({}, {"f": FieldError("required")})
    # An unanswered optional field is simply left out.
    assert clean_one(make(field_type), raw) == ({}, {})


def test_required_boolean_accepts_no() -> None:
    assert clean_one(make(B, required=True), "no") == ({"f": False}, {})


def test_without_attachment_check_any_id_is_accepted() -> None:
    assert clean_one(make(F), "att-404") == ({"f": "att-404"}, {})


def two_page_form() -> Form:
    label = LocalText("L")
    fields = (
        Field("surname", T, label, required=True),
        Field("children", INT, label, required=True),
        Field("shown", FieldType.DISPLAY, label, source="surname", page=1),
        Field("case_no", T, label, readonly=True, page=1, default="A-1"),
        Field("email", E, label, required=True, page=1),
        Field("agree", B, label, page=1),
    )
    return Form(
        "k", None, fields, (Page(None, ("surname", "children")), Page(None, ("shown", "case_no", "email", "agree")))
    )


def test_html_and_json_inputs_clean_to_the_same_data() -> None:
    form = two_page_form()
    html = {"surname": "Шевченко", "children": "2", "email": "t@example.com", "agree": "on"}
    api = {"surname": "Шевченко", "children": 2, "email": "t@example.com", "agree": True}
    expected = {"surname": "Шевченко", "children": 2, "email": "t@example.com", "agree": True}
    assert clean_form_data(form, html) == (expected, {})
    assert clean_form_data(form, api) == (expected, {})


def test_page_filter_display_readonly_and_unknown_keys() -> None:
    form = two_page_form()
    raw = {"surname": "", "children": "x", "shown": "hacked", "case_no": "hacked", "email": "e@example.com", "zzz": 1}
    cleaned, errors = clean_form_data(form, raw, page=1)
    assert (cleaned, errors) == ({"email": "e@example.com"}, {})
    cleaned, errors = clean_form_data(form, raw, page=0)
    assert cleaned == {}
    assert errors == {"surname": FieldError("required"), "children": FieldError("invalid_integer")}
    cleaned, errors = clean_form_data(form, raw)
    assert list(errors) == ["surname", "children"]
    assert cleaned == {"email": "e@example.com"}
    assert unknown_keys(form, raw) == ["shown", "case_no", "zzz"]
    assert unknown_keys(form, raw, page=0) == ["shown", "case_no", "email", "zzz"]


def test_cleaned_keys_follow_form_order() -> None:
    form = two_page_form()
    cleaned, _ = clean_form_data(form, {"agree": "no", "email": "e@example.com", "children": "1", "surname": "S"})
    assert list(cleaned) == ["surname", "children", "email", "agree"]


def test_errors_follow_form_order() -> None:
    _, errors = clean_form_data(two_page_form(), {})
    assert list(errors) == ["surname", "children", "email"]


def test_page_out_of_range() -> None:
    with pytest.raises(IndexError):
        clean_form_data(two_page_form(), {}, page=2)


def all_types_form() -> Form:
    fields = (
        make(T, min_length=2, max_length=5, pattern=r"[a-z]+", required=True),
        Field("n", INT, LocalText("N"), minimum=0.0, maximum=5.0),
        Field("d", D, LocalText("D"), minimum=0.5),
        Field("dt", DT, LocalText("DT")),
        Field("e", E, LocalText("E")),
        Field("p", P, LocalText("P")),
        Field("c", C, LocalText("C"), options=OPTIONS, widget="select"),
        Field("mc", MC, LocalText("MC"), options=OPTIONS, widget="checkboxes", max_length=2),
        Field("b", B, LocalText("B"), required=True),
        Field("file", F, LocalText("File")),
    )
    return Form.single_page("k", LocalText("Форма"), fields)


def test_form_json_schema_is_valid_and_accepts_cleaned_data() -> None:
    form = all_types_form()
    schema = form_json_schema(form)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["f", "b"]
    assert schema["properties"]["mc"]["maxItems"] == 2
    assert schema["properties"]["p"]["pattern"] == r"^(?:\+?[0-9]{10,15})$"
    assert schema["additionalProperties"] is False
    raw = {
        "f": "abc",
        "n": "3",
        "d": "1,5",
        "dt": "01.02.2024",
        "e": "a@b.ua",
        "p": "0501234567",
        "c": "a",
        "mc": ["b", "a"],
        "b": "no",
        "file": "x",
    }
    cleaned, errors = clean_form_data(form, raw)
    assert errors == {}
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        cleaned
    )
    assert cleaned["mc"] == ["a", "b"]


def test_page_schema_only_has_that_page() -> None:
    assert list(form_json_schema(two_page_form(), page=1)["properties"]) == ["email", "agree"]


@pytest.mark.parametrize(
    ("field", "error", "message"),
    [
        (make(T), FieldError("required"), "Enter Field"),
        (make(C), FieldError("required"), "Select Field"),
        (make(B), FieldError("required"), "Answer Field"),
        (make(F), FieldError("required"), "Upload Field"),
        (make(T), FieldError("max_length", {"limit": 100}), "Field must be 100 characters or fewer"),
        (make(MC), FieldError("max_length", {"limit": 2}), "Select at most 2 options for Field"),
        (make(INT), FieldError("minimum", {"limit": 0}), "Field must be 0 or more"),
        (make(E), FieldError("invalid_email"), "Enter Field as an email address, like name@example.com"),
        (make(T), FieldError("something_new"), "Field is not valid (something_new)"),
    ],
)
def test_english_message(field: Field, error: FieldError, message: str) -> None:
    assert english_message(field, error) == message


def test_every_code_has_an_english_message() -> None:
    for code in ErrorCode:
        assert "not valid" not in english_message(make(T), FieldError(code, {"limit": 1}))


@pytest.mark.parametrize(
    ("bad_cleaned", "expected"),
    [
        ({"f": "abc"}, {"b": FieldError("required")}),
        ({"f": "a", "b": True}, {"f": FieldError("min_length", {"limit": 2})}),
        ({"f": "abcdef", "b": True}, {"f": FieldError("max_length", {"limit": 5})}),
        ({"f": "ABC", "b": True}, {"f": FieldError("pattern")}),
        ({"f": "abc", "b": True, "n": 9}, {"n": FieldError("maximum", {"limit": 5})}),
        ({"f": "abc", "b": True, "d": 0.1}, {"d": FieldError("minimum", {"limit": 0.5})}),
        ({"f": "abc", "b": True, "n": "1"}, {"n": FieldError("invalid_integer")}),
        ({"f": "abc ", "b": True}, {"f": FieldError("untrimmed")}),
        ({"f": "abc", "b": True, "dt": "2023-02-29"}, {"dt": FieldError("invalid_date")}),
        ({"f": "abc", "b": True, "e": "nope"}, {"e": FieldError("invalid_email")}),
        ({"f": "abc", "b": True, "p": "123"}, {"p": FieldError("invalid_phone")}),
        ({"f": "abc", "b": True, "c": "z"}, {"c": FieldError("invalid_choice")}),
        ({"f": "abc", "b": True, "mc": ["a", "a"]}, {"mc": FieldError("invalid_choice")}),
        ({"f": "abc", "b": True, "mc": ["a", "b", "c"]}, {"mc": FieldError("max_length", {"limit": 2})}),
    ],
)
def test_schema_errors_map_to_fields(bad_cleaned: dict[str, Any], expected: dict[str, FieldError]) -> None:
    """The defence-in-depth layer: whatever the schema rejects is reported on the right field."""
    form = all_types_form()
    validator = jsonschema.Draft202012Validator(
        form_json_schema(form), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    by_name = {f.name: f for f in form.fields}
    found = [pair for error in validator.iter_errors(bad_cleaned) for pair in _from_schema_error(error, by_name)]
    assert dict(found) == expected
