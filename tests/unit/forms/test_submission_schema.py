"""The submission schema says exactly what the API takes: what fits is cleaned unchanged, what does not is refused.

Pages stay lenient ("1 000", "31.12.2024", "yes", padded text); the API takes the values as the server keeps them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from engine.config import PROJECT_ROOT
from engine.forms import (
    Field,
    FieldError,
    FieldType,
    Form,
    LocalText,
    Option,
    check_submission,
    clean_form_data,
    submission_schema,
)
from engine.services.authoring.checking import check_paths

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "igov"
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER
OPTIONS = (Option("a", LocalText({"uk": "Перший", "en": "First"})), Option("b", LocalText({"uk": "Другий"})))
UPLOADED = "0b8f3a52-1c1e-4c4e-9d57-6a4c2f1e7b10"


def label(uk: str) -> LocalText:
    return LocalText({"uk": uk, "en": uk.upper()})


def every_kind() -> Form:
    fields = (
        Field("name", FieldType.TEXT, label("імʼя"), required=True, min_length=2, max_length=5),
        Field("note", FieldType.TEXTAREA, label("примітка")),
        Field("count", FieldType.INTEGER, label("кількість"), minimum=1, maximum=9),
        Field("area", FieldType.DECIMAL, label("площа")),
        Field("born", FieldType.DATE, label("дата")),
        Field("mail", FieldType.EMAIL, label("пошта")),
        Field("tel", FieldType.PHONE, label("телефон")),
        Field("kind", FieldType.CHOICE, label("вид"), options=OPTIONS, widget="radio"),
        Field("many", FieldType.MULTICHOICE, label("кілька"), required=True, options=OPTIONS, widget="checkboxes"),
        Field("agree", FieldType.BOOLEAN, label("згода")),
        Field("scan", FieldType.FILE, label("скан")),
        Field("notice", FieldType.DISPLAY, label("увага")),
        Field("copy", FieldType.TEXT, label("копія"), readonly=True),
        Field("tech", FieldType.TEXT, label("тех"), hidden=True, default=" "),
    )
    return Form.single_page("k", label("форма"), fields)


VALID: dict[str, Any] = {"name": "Олена", "many": ["b"], "born": "2024-12-31", "tel": "+380501234567", "scan": UPLOADED}


def refused(data: dict[str, Any]) -> dict[str, str]:
    return {name: error.code for name, error in check_submission(every_kind(), data).items()}


def test_the_schema_is_valid_2020_12_and_in_the_callers_language() -> None:
    schema = submission_schema(every_kind(), locale="en")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "ФОРМА"
    assert schema["properties"]["name"]["title"] == "ІМʼЯ"
    assert schema["properties"]["kind"]["anyOf"] == [
        {"const": "a", "title": "First"},
        {"const": "b", "title": "Другий"},
    ]
    assert schema["required"] == ["name", "many"]
    assert schema["properties"]["many"]["minItems"] == 1  # required: at least one box
    assert schema["properties"]["scan"]["format"] == "uuid"


def test_fields_nobody_answers_are_read_only_never_required_and_refused() -> None:
    schema = submission_schema(every_kind())
    for name in ("notice", "copy", "tech"):
        assert schema["properties"][name]["readOnly"] is True
        assert name not in schema["required"]
    assert check_submission(every_kind(), VALID) == {}
    assert refused({**VALID, "copy": "x", "other": 1}) == {"copy": "read_only", "other": "unknown_field"}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("count", "3", "invalid_integer"),
        ("count", 2.5, "invalid_integer"),
        ("count", 10, "maximum"),
        ("area", "1,5", "invalid_decimal"),
        ("agree", "yes", "invalid_boolean"),
        ("born", "31.12.2024", "invalid_date"),
        ("born", "2023-02-29", "invalid_date"),
        ("name", " Оля", "untrimmed"),
        ("name", "О", "min_length"),
        ("name", "", "required"),
        ("note", "line\r\nbreak", "untrimmed"),
        ("mail", "a@b", "invalid_email"),
        ("tel", "+38 050 123 45 67", "invalid_phone"),
        ("tel", "+٣٨٠٥٠١٢٣٤٥٦٧", "invalid_phone"),
        ("kind", "c", "invalid_choice"),
        ("many", "b", "invalid_type"),
        ("many", [], "required"),
        ("many", ["b", "b"], "invalid_choice"),
        ("scan", "scan.pdf", "unknown_attachment"),
        ("scan", None, "invalid_type"),
    ],
)
def test_what_pages_would_clean_the_api_refuses_by_field(field: str, value: Any, code: str) -> None:
    assert refused({**VALID, field: value}) == {field: code}


def test_pages_still_take_what_people_type() -> None:
    typed = {"name": " Олена ", "count": "3", "born": "31.12.2024", "agree": "yes", "tel": "050 123 45 67"}
    cleaned, errors = clean_form_data(every_kind(), {**typed, "many": "b", "note": "a\rb"})
    assert errors == {}
    assert cleaned == {
        "name": "Олена",
        "note": "a\nb",
        "count": 3,
        "born": "2024-12-31",
        "tel": "+380501234567",
        "many": ["b"],
        "agree": True,
    }


def test_a_number_beyond_any_double_is_an_invalid_answer_not_a_crash() -> None:
    _cleaned, errors = clean_form_data(every_kind(), {**VALID, "area": 10**400})
    assert errors == {"area": FieldError("invalid_decimal")}


def test_defaults_are_offered_only_when_they_would_be_accepted() -> None:
    schema = submission_schema(every_kind(), defaults={"name": "Олена", "note": " ", "count": 12, "kind": "a"})
    defaults = {name: p["default"] for name, p in schema["properties"].items() if "default" in p}
    assert defaults == {"name": "Олена", "kind": "a"}


DIAGRAMS = sorted((PROJECT_ROOT / "processes").rglob("*.bpmn")) + (
    sorted(CORPUS.glob("*.bpmn")) if CORPUS.is_dir() else []
)


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[p.name for p in DIAGRAMS])
def test_generated_data_of_every_service_form_is_accepted_and_cleaned_unchanged(diagram: Path) -> None:
    """Every form of every demo service and corpus diagram (the corpus only where it is present)."""
    (checked,) = check_paths([diagram], PROJECT_ROOT / "forms")
    assert checked.manifest is not None, checked.problems
    for step in checked.manifest.steps.values():
        if step.form is not None:
            schema = submission_schema(step.form)
            jsonschema.Draft202012Validator.check_schema(schema)
            assert_generated_data_accepted(step.form, schema)


def assert_generated_data_accepted(form: Form, schema: dict[str, Any]) -> None:
    @settings(
        max_examples=5,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(from_schema(schema))
    def accepted(data: dict[str, Any]) -> None:
        assert check_submission(form, data) == {}
        cleaned, errors = clean_form_data(form, data, attachment_exists=lambda _id: True)
        assert errors == {}
        assert cleaned == {name: kept(form.field(name), value) for name, value in data.items() if value != []}

    accepted()


def kept(field: Field, value: Any) -> Any:
    """What cleaning keeps of a value that fits the schema: the same, up to option order and a local phone's +38."""
    if field.type is FieldType.MULTICHOICE:
        return [option for option in field.option_values if option in value]
    if field.type is FieldType.PHONE and field.pattern is None and len(value) == 10 and value.startswith("0"):
        return "+38" + value
    if field.type is FieldType.DECIMAL:
        return float(value)
    return value


def test_hypothesis_draws_respect_the_schema() -> None:
    """The generator honours readOnly (never drawn) and the choice titles; a guard on the tool the tests rely on."""
    schema = submission_schema(every_kind())

    @settings(max_examples=10, derandomize=True, database=None, deadline=None, phases=[Phase.generate])
    @given(st.data())
    def drawn(data: st.DataObject) -> None:
        value = data.draw(from_schema(schema))
        assert not {"notice", "copy", "tech"} & set(value)
        jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER).validate(value)

    drawn()
