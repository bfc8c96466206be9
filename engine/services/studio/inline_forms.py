"""A Form written as Camunda inline fields (`camunda:formData`), the inverse of `engine.forms.read_inline_form`."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from lxml import etree

from engine.bpmn.xml import CAMUNDA
from engine.forms import Field, FieldType, Form, FormDefinitionError, LocalText
from engine.forms.model import DEFAULT_LOCALE
from engine.services.studio.forms import preview_form_document

#: Our types that have a Camunda name; the others are written as our own type name, which the reader accepts.
CAMUNDA_TYPE_NAMES = {
    FieldType.TEXT: "string",
    FieldType.INTEGER: "long",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.CHOICE: "enum",
    FieldType.MULTICHOICE: "enum",
}
DEFAULT_WIDGETS = {FieldType.CHOICE: "radio", FieldType.MULTICHOICE: "checkboxes"}


def inline_form_element(form: Form) -> etree._Element:
    """The `camunda:formData` element of the form; FormDefinitionError names a field inline forms cannot hold."""
    form_data = etree.Element(CAMUNDA + "formData")
    for index, page in enumerate(form.pages):
        if not page.fields:
            raise FormDefinitionError(f"page {index + 1} has no fields")
        for field in form.fields_on_page(index):
            form_data.append(_field_element(field, index, page.title))
    return form_data


def _locales(text: LocalText | None) -> dict[str, str]:
    if text is None:
        return {}
    return {locale: text.get(locale) for locale in text.locales}


def _field_element(field: Field, page: int, page_title: LocalText | None) -> etree._Element:
    _check_inline(field)
    label = _locales(field.label)
    node = etree.Element(
        CAMUNDA + "formField",
        {"id": field.name, "label": label.pop(DEFAULT_LOCALE, field.label.get(DEFAULT_LOCALE))},
    )
    node.set("type", CAMUNDA_TYPE_NAMES.get(field.type, field.type.value))
    if (default := _default(field)) is not None:
        node.set("defaultValue", default)
    properties: list[tuple[str, str]] = [(f"label_{locale}", text) for locale, text in label.items()]
    for kind, text in (("hint", field.hint), ("page_title", page_title)):
        for locale, value in _locales(text).items():
            properties.append((kind if locale == DEFAULT_LOCALE else f"{kind}_{locale}", value))
    if field.widget is not None and field.widget != DEFAULT_WIDGETS.get(field.type):
        properties.append(("widget", field.widget))
    elif field.type is FieldType.MULTICHOICE:
        properties.append(("widget", "checkboxes"))  # what makes an enum a multichoice
    properties.append(("page", str(page + 1)))
    if field.source:
        properties.append(("source", field.source))
    container = etree.SubElement(node, CAMUNDA + "properties")
    for name, value in properties:
        etree.SubElement(container, CAMUNDA + "property", {"id": name, "value": value})
    constraints = _constraints(field)
    if constraints:
        validation = etree.SubElement(node, CAMUNDA + "validation")
        for name, config in constraints:
            attributes = {"name": name} if config is None else {"name": name, "config": config}
            etree.SubElement(validation, CAMUNDA + "constraint", attributes)
    for option in field.options:
        etree.SubElement(node, CAMUNDA + "value", {"id": option.value, "name": option.label.get(DEFAULT_LOCALE)})
    return node


def _check_inline(field: Field) -> None:
    if field.hidden:
        raise FormDefinitionError("hidden fields cannot be written as inline fields", field=field.name)
    if field.type is FieldType.DISPLAY and field.default is not None:
        raise FormDefinitionError(
            "a display field of an inline form shows a source, not a static text", field=field.name
        )
    for option in field.options:
        if option.label.locales != (DEFAULT_LOCALE,):
            raise FormDefinitionError(
                f"option {option.value!r}: inline forms keep only the Ukrainian option label", field=field.name
            )


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _constraints(field: Field) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    if field.required:
        found.append(("required", None))
    if field.readonly:
        found.append(("readonly", None))
    for name, value in (("minlength", field.min_length), ("maxlength", field.max_length)):
        if value is not None:
            found.append((name, str(value)))
    for name, number in (("min", field.minimum), ("max", field.maximum)):
        if number is not None:
            found.append((name, _number(number)))
    if field.pattern is not None:
        found.append(("pattern", field.pattern))
    return found


def _default(field: Field) -> str | None:
    value: Any = field.default
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value) if field.type is not FieldType.DECIMAL else repr(float(value))
    if isinstance(value, list):
        if any("," in str(item) for item in value):
            raise FormDefinitionError("an inline default cannot hold an option containing ','", field=field.name)
        return ",".join(str(item) for item in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def preview_inline_form(document: dict[str, Any]) -> Form:
    """Parse a form document meant for a step's inline fields; FormDefinitionError names what cannot be written."""
    form = dataclasses.replace(preview_form_document(document, key="inline"), key=None)
    if form.fields:  # no fields: the step's inline form is removed
        inline_form_element(form)
    return form
