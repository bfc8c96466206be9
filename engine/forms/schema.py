"""JSON Schema 2020-12 of a form's data: the contract of the API and the last line of validation.

Values are described as the server keeps them: typed JSON (numbers, booleans, arrays), dates as ``YYYY-MM-DD``,
text without spaces at either end and with ``\\n`` line breaks. Cleaning (:mod:`engine.forms.validate`) turns what
a browser sends into exactly that, so the cleaned data always fits; the API takes only data that already fits
(:func:`submission_schema`), so anything a client validates with the schema is accepted as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from engine.forms.model import STRING_TYPES, Field, FieldType, Form

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
#: Phone shape after normalisation (spaces, dashes and brackets removed), unless the field has its own pattern.
PHONE_PATTERN: Final = r"\+?[0-9]{10,15}"
EMAIL_PATTERN: Final = r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+"
EMAIL_MAX_LENGTH: Final = 254
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: Attachments are named by UUID (engine.services.cases.attachments).
ATTACHMENT_PATTERN: Final = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#: Text the server would change when cleaning: a space at either end, or a carriage return.
UNTRIMMED_PATTERN: Final = r"^\s|\s$|\r"
ATTACHMENT_COMMENT: Final = "the id of a file uploaded with POST /api/v1/attachments (or already attached to the case)"
_FORMAT_CHECKER: Final = jsonschema.Draft202012Validator.FORMAT_CHECKER


def anchored(pattern: str) -> str:
    """JSON Schema ``pattern`` searches; our patterns must match the whole answer."""
    return f"^(?:{pattern})$"


def scoped_fields(form: Form, page: int | None) -> tuple[Field, ...]:
    """Fields of one page (or of the whole form), in form order."""
    if page is None:
        return form.fields
    names = {field.name for field in form.fields_on_page(page)}
    return tuple(field for field in form.fields if field.name in names)


def scoped_input_fields(form: Form, page: int | None) -> tuple[Field, ...]:
    """Input fields of one page (or of the whole form), in form order."""
    return tuple(field for field in scoped_fields(form, page) if field.is_input)


def field_json_schema(field: Field, *, locale: str = "uk") -> dict[str, Any]:
    """Schema of one input field's value as the server keeps it."""
    schema: dict[str, Any] = {"title": field.label.get(locale)}
    if field.hint is not None:
        schema["description"] = field.hint.get(locale)
    match field.type:
        case FieldType.INTEGER | FieldType.DECIMAL:
            schema["type"] = "integer" if field.type is FieldType.INTEGER else "number"
            if field.minimum is not None:
                schema["minimum"] = field.minimum
            if field.maximum is not None:
                schema["maximum"] = field.maximum
        case FieldType.BOOLEAN:
            schema["type"] = "boolean"
        case FieldType.DATE:
            schema.update(type="string", format="date", pattern=DATE_PATTERN)
        case FieldType.CHOICE:
            schema.update(type="string", enum=list(field.option_values))
        case FieldType.MULTICHOICE:
            schema.update(type="array", items={"type": "string", "enum": list(field.option_values)}, uniqueItems=True)
            least = max(1, field.min_length or 0) if field.required else field.min_length
            if least is not None:
                schema["minItems"] = least
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        case FieldType.FILE:
            schema.update(type="string", minLength=1)
            schema["not"] = {"pattern": UNTRIMMED_PATTERN}
        case _:
            schema.update(_string_schema(field))
    return schema


def _string_schema(field: Field) -> dict[str, Any]:
    assert field.type in STRING_TYPES, field.type
    schema: dict[str, Any] = {"type": "string", "minLength": max(1, field.min_length or 0)}
    longest = field.max_length
    if field.type is FieldType.EMAIL and field.pattern is None:
        longest = EMAIL_MAX_LENGTH if longest is None else min(longest, EMAIL_MAX_LENGTH)
    if longest is not None:
        schema["maxLength"] = longest
    if field.type is FieldType.EMAIL:
        schema["format"] = "email"
    if field.pattern is not None:
        schema["pattern"] = anchored(field.pattern)
    elif field.type is FieldType.PHONE:
        schema["pattern"] = anchored(PHONE_PATTERN)
    elif field.type is FieldType.EMAIL:
        schema["pattern"] = anchored(EMAIL_PATTERN)
    schema["not"] = {"pattern": UNTRIMMED_PATTERN}
    return schema


def form_json_schema(form: Form, *, page: int | None = None, locale: str = "uk") -> dict[str, Any]:
    """Schema of the cleaned data of the form's input fields (or of one page); display/readonly fields excluded."""
    fields = scoped_input_fields(form, page)
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": {field.name: field_json_schema(field, locale=locale) for field in fields},
        "required": [field.name for field in fields if field.required],
        "additionalProperties": False,
    }
    if form.title is not None:
        schema["title"] = form.title.get(locale)
    return schema


def submission_schema(form: Form, *, locale: str = "uk", defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Schema of exactly the data a client sends to complete the form (the API's ``schema`` of a task).

    Choices carry their labels (``anyOf`` of ``const`` + ``title``), file fields take attachment ids, ``default``
    is what the form starts with (only where that value would be accepted). Fields that are not inputs (static
    text, read-only copies, hidden values) are listed with ``readOnly`` and must be left out of the data.
    """
    schema = form_json_schema(form, locale=locale)
    properties: dict[str, Any] = {}
    for field in form.fields:
        if not field.is_input:
            properties[field.name] = {"title": field.label.get(locale), "readOnly": True, "not": {}}
            continue
        value = _labelled(field, schema["properties"][field.name], locale)
        if field.type is FieldType.FILE:
            value.update(format="uuid", pattern=ATTACHMENT_PATTERN, **{"$comment": ATTACHMENT_COMMENT})
        if defaults is not None and field.name in defaults and _fits(value, defaults[field.name]):
            value["default"] = defaults[field.name]
        properties[field.name] = value
    schema["properties"] = properties
    return schema


def _labelled(field: Field, schema: dict[str, Any], locale: str) -> dict[str, Any]:
    """Options as ``anyOf`` of ``{"const", "title"}`` in the caller's language, instead of a bare ``enum``."""
    options = [{"const": option.value, "title": option.label.get(locale)} for option in field.options]
    if not options:
        return dict(schema)
    if field.type is FieldType.CHOICE:
        labelled = {k: v for k, v in schema.items() if k != "enum"}
        return {**labelled, "anyOf": options}
    if field.type is FieldType.MULTICHOICE:
        return {**schema, "items": {"type": "string", "anyOf": options}}
    return dict(schema)


def _fits(schema: dict[str, Any], value: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema, format_checker=_FORMAT_CHECKER).is_valid(value))
