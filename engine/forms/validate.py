"""Server-side cleaning and validation of submitted form data (from an HTML form or from the JSON API).

HTML forms send strings only (a multichoice sends a list of strings, or one string when one box is ticked), and
pages accept them as people type them ("1 000", "31.12.2024", "+38 (050) 123-45-67"). The API takes data already in
the shape the server keeps (:func:`check_submission` against :func:`engine.forms.schema.submission_schema`) and is
then cleaned the same way. Errors are language-neutral codes; the web layer translates them, and
:func:`english_message` gives an English sentence for the CLI and as a fallback.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from engine.forms.errors import ErrorCode, FieldError
from engine.forms.messages import english_message
from engine.forms.model import STRING_TYPES, Field, FieldType, Form
from engine.forms.schema import (
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    PHONE_PATTERN,
    form_json_schema,
    scoped_input_fields,
    submission_schema,
)

EMAIL_RE: Final = re.compile(EMAIL_PATTERN)
TRUE_WORDS: Final = frozenset({"yes", "true", "on", "1"})
FALSE_WORDS: Final = frozenset({"no", "false", "off", "0"})
_PHONE_JUNK_RE: Final = re.compile(r"[\s\-()]")
_SPACES_RE: Final = re.compile(r"[\s\u00a0\u202f]")  # thousands separators in "1 000"
_INTEGER_RE: Final = re.compile(r"[+-]?\d+")
_DECIMAL_RE: Final = re.compile(r"[+-]?(\d+(\.\d+)?|\.\d+)")
_ISO_DATE_RE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DOTTED_DATE_RE: Final = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_FORMAT_CHECKER: Final = jsonschema.Draft202012Validator.FORMAT_CHECKER

__all__ = ["ErrorCode", "FieldError", "check_submission", "clean_form_data", "english_message", "unknown_keys"]


class _InvalidError(Exception):
    def __init__(self, code: ErrorCode, **params: Any) -> None:
        super().__init__(code)
        self.error = FieldError(code, params)


class _Empty:
    """Marker for "not answered"."""


_EMPTY: Final = _Empty()


def unknown_keys(form: Form, raw: Mapping[str, Any], *, page: int | None = None) -> list[str]:
    """Keys of ``raw`` that are not input fields (of ``page``, if given), for the API to reject."""
    names = {f.name for f in scoped_input_fields(form, page)}
    return [key for key in raw if key not in names]


def clean_form_data(
    form: Form,
    raw: Mapping[str, Any],
    *,
    page: int | None = None,
    attachment_exists: Callable[[str], bool] | None = None,
) -> tuple[dict[str, Any], dict[str, FieldError]]:
    """Coerce and validate ``raw``; returns (cleaned values, errors by field name), both in form field order.

    Only the input fields of ``page`` (0-based; IndexError if out of range) or of the whole form are looked at;
    display and read-only fields and unknown keys are ignored. Unanswered optional fields are left out.
    """
    fields = scoped_input_fields(form, page)
    cleaned: dict[str, Any] = {}
    errors: dict[str, FieldError] = {}
    for f in fields:
        try:
            value = _clean_field(f, raw.get(f.name), attachment_exists)
        except _InvalidError as exc:
            errors[f.name] = exc.error
            continue
        if value is _EMPTY:
            if f.required:
                errors[f.name] = FieldError(ErrorCode.REQUIRED)
        else:
            cleaned[f.name] = value
    # Defence in depth: the generated schema is the contract, so anything it rejects is an error too.
    validator = _validator(form, page, "cleaned")
    by_name = {f.name: f for f in fields}
    for schema_error in validator.iter_errors(cleaned):
        for name, error in _from_schema_error(schema_error, by_name):
            errors.setdefault(name, error)
            cleaned.pop(name, None)
    ordered_errors = {f.name: errors[f.name] for f in fields if f.name in errors}
    return cleaned, ordered_errors


def _clean_field(f: Field, value: Any, attachment_exists: Callable[[str], bool] | None) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        return _EMPTY
    match f.type:
        case FieldType.INTEGER | FieldType.DECIMAL:
            number = _integer(value) if f.type is FieldType.INTEGER else _decimal(value)
            _check_range(f, number)
            return number
        case FieldType.BOOLEAN:
            return _boolean(value)
        case FieldType.DATE:
            return _date(value)
        case FieldType.CHOICE:
            text = _string(value)
            if text not in f.option_values:
                raise _InvalidError(ErrorCode.INVALID_CHOICE, value=text)
            return text
        case FieldType.MULTICHOICE:
            return _multichoice(f, value)
        case FieldType.FILE:
            attachment_id = _string(value)
            if attachment_exists is not None and not attachment_exists(attachment_id):
                raise _InvalidError(ErrorCode.UNKNOWN_ATTACHMENT, value=attachment_id)
            return attachment_id
        case _:
            assert f.type in STRING_TYPES, f.type
            return _text(f, _string(value))


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _InvalidError(ErrorCode.INVALID_TYPE, expected="string")
    return value.strip()


def _limit(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def _text(f: Field, text: str) -> str:
    if f.type is FieldType.PHONE:
        text = _PHONE_JUNK_RE.sub("", text)
        if re.fullmatch(r"0\d{9}", text):
            text = "+38" + text
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if f.min_length is not None and len(text) < f.min_length:
        raise _InvalidError(ErrorCode.MIN_LENGTH, limit=f.min_length)
    if f.max_length is not None and len(text) > f.max_length:
        raise _InvalidError(ErrorCode.MAX_LENGTH, limit=f.max_length)
    if f.pattern is not None:
        if not re.fullmatch(f.pattern, text):
            raise _InvalidError(ErrorCode.PATTERN)
    elif f.type is FieldType.EMAIL:
        if len(text) > EMAIL_MAX_LENGTH or not EMAIL_RE.fullmatch(text):
            raise _InvalidError(ErrorCode.INVALID_EMAIL)
    elif f.type is FieldType.PHONE and not re.fullmatch(PHONE_PATTERN, text):
        raise _InvalidError(ErrorCode.INVALID_PHONE)
    return text


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _InvalidError(ErrorCode.INVALID_INTEGER)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise _InvalidError(ErrorCode.INVALID_INTEGER)
    if isinstance(value, str):
        text = _SPACES_RE.sub("", value)
        if _INTEGER_RE.fullmatch(text):
            return int(text)
        raise _InvalidError(ErrorCode.INVALID_INTEGER)
    raise _InvalidError(ErrorCode.INVALID_TYPE, expected="integer")


def _decimal(value: Any) -> float:
    if isinstance(value, bool):
        raise _InvalidError(ErrorCode.INVALID_DECIMAL)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any double
            raise _InvalidError(ErrorCode.INVALID_DECIMAL) from None
    elif isinstance(value, str):
        text = _SPACES_RE.sub("", value).replace(",", ".")
        if not _DECIMAL_RE.fullmatch(text):
            raise _InvalidError(ErrorCode.INVALID_DECIMAL)
        number = float(text)
    else:
        raise _InvalidError(ErrorCode.INVALID_TYPE, expected="number")
    if not math.isfinite(number):
        raise _InvalidError(ErrorCode.INVALID_DECIMAL)
    return number


def _check_range(f: Field, number: float) -> None:
    if f.minimum is not None and number < f.minimum:
        raise _InvalidError(ErrorCode.MINIMUM, limit=_limit(f.minimum))
    if f.maximum is not None and number > f.maximum:
        raise _InvalidError(ErrorCode.MAXIMUM, limit=_limit(f.maximum))


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _InvalidError(ErrorCode.INVALID_BOOLEAN)


def _date(value: Any) -> str:
    text = _string(value)
    if match := _ISO_DATE_RE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DOTTED_DATE_RE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise _InvalidError(ErrorCode.INVALID_DATE)
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise _InvalidError(ErrorCode.INVALID_DATE) from None


def _multichoice(f: Field, value: Any) -> Any:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise _InvalidError(ErrorCode.INVALID_TYPE, expected="array of strings")
    chosen = {item.strip() for item in items if item.strip()}
    if not chosen:
        return _EMPTY
    for item in chosen:
        if item not in f.option_values:
            raise _InvalidError(ErrorCode.INVALID_CHOICE, value=item)
    result = [option for option in f.option_values if option in chosen]
    if f.min_length is not None and len(result) < f.min_length:
        raise _InvalidError(ErrorCode.MIN_LENGTH, limit=f.min_length)
    if f.max_length is not None and len(result) > f.max_length:
        raise _InvalidError(ErrorCode.MAX_LENGTH, limit=f.max_length)
    return result


_SCHEMA_CODES: Final = {
    "enum": ErrorCode.INVALID_CHOICE,
    "anyOf": ErrorCode.INVALID_CHOICE,
    "const": ErrorCode.INVALID_CHOICE,
    "uniqueItems": ErrorCode.INVALID_CHOICE,
    "minimum": ErrorCode.MINIMUM,
    "maximum": ErrorCode.MAXIMUM,
    "minLength": ErrorCode.MIN_LENGTH,
    "minItems": ErrorCode.MIN_LENGTH,
    "maxLength": ErrorCode.MAX_LENGTH,
    "maxItems": ErrorCode.MAX_LENGTH,
    "not": ErrorCode.UNTRIMMED,
}
_TYPE_CODES: Final = {
    FieldType.INTEGER: ErrorCode.INVALID_INTEGER,
    FieldType.DECIMAL: ErrorCode.INVALID_DECIMAL,
    FieldType.BOOLEAN: ErrorCode.INVALID_BOOLEAN,
    FieldType.DATE: ErrorCode.INVALID_DATE,
}
_LIMITED: Final = (ErrorCode.MINIMUM, ErrorCode.MAXIMUM, ErrorCode.MIN_LENGTH, ErrorCode.MAX_LENGTH)


def check_submission(form: Form, data: Mapping[str, Any]) -> dict[str, FieldError]:
    """What the API refuses before cleaning: data that does not fit the form's submission schema, by field.

    Unknown keys and fields that are not inputs are errors too. Data that passes is cleaned unchanged, up to option
    order and a local phone number's +38; only the server can tell whether an attachment id names the caller's file.
    """
    validator = _validator(form, None, "submission")
    fields = {f.name: f for f in form.fields}
    errors: dict[str, FieldError] = {}
    for schema_error in validator.iter_errors(data):
        for name, error in _from_schema_error(schema_error, fields):
            errors.setdefault(name, error)
    return {**{n: errors[n] for n in fields if n in errors}, **{n: e for n, e in errors.items() if n not in fields}}


def _from_schema_error(error: Any, fields: Mapping[str, Field]) -> list[tuple[str, FieldError]]:
    """Map a jsonschema ValidationError on form data to the fields it concerns."""
    if error.validator == "required":
        return [(name, FieldError(ErrorCode.REQUIRED)) for name in error.validator_value if name not in error.instance]
    if error.validator == "additionalProperties":
        return [
            (key, FieldError(ErrorCode.UNKNOWN_FIELD, {"label": key})) for key in error.instance if key not in fields
        ]
    if not error.absolute_path or error.absolute_path[0] not in fields:
        raise RuntimeError(f"form data does not match the form's own schema: {error.message}")
    name: str = error.absolute_path[0]
    return [(name, _field_error(error, fields[name]))]


def _field_error(error: Any, f: Field) -> FieldError:
    keyword = error.validator
    if not f.is_input:
        return FieldError(ErrorCode.READ_ONLY)
    if keyword == "type":
        return FieldError(_TYPE_CODES.get(f.type, ErrorCode.INVALID_TYPE))
    if keyword in ("pattern", "format"):
        return FieldError(_shape_code(f, keyword))
    if error.instance in ("", []) and f.required and keyword in ("minLength", "minItems"):
        return FieldError(ErrorCode.REQUIRED)
    code = _SCHEMA_CODES.get(keyword, ErrorCode.INVALID_TYPE)
    return FieldError(code, {"limit": _limit(error.validator_value)} if code in _LIMITED else {})


def _shape_code(f: Field, keyword: str) -> ErrorCode:
    """The error for a value of the right type in the wrong shape (a pattern or a format)."""
    if f.type is FieldType.DATE:
        return ErrorCode.INVALID_DATE
    if f.type is FieldType.FILE:
        return ErrorCode.UNKNOWN_ATTACHMENT
    if f.type is FieldType.EMAIL and (keyword == "format" or f.pattern is None):
        return ErrorCode.INVALID_EMAIL
    if f.type is FieldType.PHONE and f.pattern is None:
        return ErrorCode.INVALID_PHONE
    return ErrorCode.PATTERN


_VALIDATORS: dict[tuple[int, int | None, str], tuple[Form, Any]] = {}
_MAX_VALIDATORS: Final = 512


def _validator(form: Form, page: int | None, kind: str) -> Any:
    """The compiled JSON Schema validator of a form (per page), built once per form object: forms come from the
    manifest cache, so the same object is validated against again and again. The entry holds the form, so its id
    cannot be reused by another form while the entry lives."""
    key = (id(form), page, kind)
    held = _VALIDATORS.get(key)
    if held is not None and held[0] is form:
        return held[1]
    schema = form_json_schema(form, page=page) if kind == "cleaned" else submission_schema(form)
    validator = jsonschema.Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    if len(_VALIDATORS) >= _MAX_VALIDATORS:
        _VALIDATORS.clear()
    _VALIDATORS[key] = (form, validator)
    return validator
