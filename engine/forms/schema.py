"""JSON Schema 2020-12 of a form's cleaned data: the contract of the API and the last line of validation."""

from __future__ import annotations

from typing import Any, Final

from engine.forms.model import STRING_TYPES, Field, FieldType, Form

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
#: Phone shape after normalisation (spaces, dashes and brackets removed), unless the field has its own pattern.
PHONE_PATTERN: Final = r"\+?\d{10,15}"


def anchored(pattern: str) -> str:
    """JSON Schema ``pattern`` searches; our patterns must match the whole answer."""
    return f"^(?:{pattern})$"


def scoped_input_fields(form: Form, page: int | None) -> tuple[Field, ...]:
    """Input fields of one page (or of the whole form), in form order."""
    if page is None:
        return form.input_fields
    names = {field.name for field in form.fields_on_page(page)}
    return tuple(field for field in form.input_fields if field.name in names)


def field_json_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": field.label.get("uk")}
    if field.hint is not None:
        schema["description"] = field.hint.get("uk")
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
            schema.update(type="string", format="date")
        case FieldType.CHOICE:
            schema.update(type="string", enum=list(field.option_values))
        case FieldType.MULTICHOICE:
            schema.update(type="array", items={"type": "string", "enum": list(field.option_values)}, uniqueItems=True)
            if field.min_length is not None:
                schema["minItems"] = field.min_length
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        case FieldType.FILE:
            schema.update(type="string", minLength=1)
        case _:
            schema.update(_string_schema(field))
    return schema


def _string_schema(field: Field) -> dict[str, Any]:
    assert field.type in STRING_TYPES, field.type
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if field.min_length is not None:
        schema["minLength"] = max(1, field.min_length)
    if field.max_length is not None:
        schema["maxLength"] = field.max_length
    if field.type is FieldType.EMAIL:
        schema["format"] = "email"
    if field.pattern is not None:
        schema["pattern"] = anchored(field.pattern)
    elif field.type is FieldType.PHONE:
        schema["pattern"] = anchored(PHONE_PATTERN)
    return schema


def form_json_schema(form: Form, *, page: int | None = None) -> dict[str, Any]:
    """Schema of the cleaned data of the form's input fields (or of one page); display/readonly fields excluded."""
    fields = scoped_input_fields(form, page)
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": {field.name: field_json_schema(field) for field in fields},
        "required": [field.name for field in fields if field.required],
        "additionalProperties": False,
    }
    if form.title is not None:
        schema["title"] = form.title.get("uk")
    return schema
