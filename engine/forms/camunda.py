"""Loader for inline Camunda 7 forms (``camunda:formData``) on BPMN start events and user tasks.

Camunda types map to ours (string → text, long → integer, boolean, date, enum → choice); our own type names are
accepted too. ``camunda:property`` entries refine a field:

* ``type`` overrides the type (textarea, email, phone, decimal, file, multichoice, display, date, ...);
* ``widget``: radio (default) or select for choices, checkboxes (makes the field a multichoice);
* ``page``: 1-based page number the field starts; fields without it stay on the previous field's page;
* ``page_title``: title of the page this field is on; ``source``: the variable a display field shows;
* ``hint``; and ``label_<locale>`` / ``hint_<locale>`` / ``page_title_<locale>`` (e.g. ``label_en``) for translations.

Other property ids are ignored (modelling tools add their own). Constraints: required, readonly, minlength,
maxlength, min, max, pattern; any other constraint is an error.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any, Final

import lxml.etree  # type: ignore[import-untyped, unused-ignore]

from engine.forms.checks import check_field, check_name, check_pattern
from engine.forms.errors import FormDefinitionError
from engine.forms.model import DEFAULT_LOCALE, FieldType, Form, LocalText, Option, Page
from engine.forms.model import Field as FormField

BPMN_NS: Final = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS: Final = "http://camunda.org/schema/1.0/bpmn"
NS: Final = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

CAMUNDA_TYPES: Final = {
    "string": FieldType.TEXT,
    "long": FieldType.INTEGER,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "enum": FieldType.CHOICE,
}
_LOCALIZED_PROPERTY_RE: Final = re.compile(r"(label|hint|page_title)_([a-z]{2,3})")


def read_inline_form(element: lxml.etree._Element, *, element_id: str) -> Form | None:
    """The inline form of a startEvent / userTask, or None if it has no ``camunda:formData``."""
    form_data = element.find("bpmn:extensionElements/camunda:formData", NS)
    if form_data is None:
        return None
    try:
        return _read_form_data(form_data, title=element.get("name"))
    except FormDefinitionError as exc:
        if exc.element_id is None:
            exc.element_id = element_id
        raise


@dataclasses.dataclass
class _PageState:
    current: int = 0
    titles: dict[int, dict[str, str]] = dataclasses.field(default_factory=dict)


def _read_form_data(form_data: Any, *, title: str | None) -> Form:
    fields: list[FormField] = []
    seen: set[str] = set()
    state = _PageState()
    for form_field in form_data.findall("camunda:formField", NS):
        field = _read_field(form_field, state)
        if field.name in seen:
            raise FormDefinitionError("duplicate field id", field=field.name)
        seen.add(field.name)
        fields.append(field)
    page_count = max((field.page for field in fields), default=0) + 1
    pages: list[Page] = []
    for index in range(page_count):
        names = tuple(field.name for field in fields if field.page == index)
        if not names and fields:
            raise FormDefinitionError(f"page {index + 1} has no fields")
        page_title = state.titles.get(index)
        pages.append(Page(title=LocalText(page_title) if page_title else None, fields=names))
    form_title = LocalText(title.strip()) if title and title.strip() else None
    return Form(key=None, title=form_title, fields=tuple(fields), pages=tuple(pages))


def _read_field(node: Any, state: _PageState) -> FormField:
    name = (node.get("id") or "").strip()
    if not name:
        raise FormDefinitionError("form field without an id")
    check_name(name)
    properties = _properties(node, name)
    texts = _texts(node, properties, name)
    field_type = _field_type(node.get("type"), properties.get("type"), name)
    widget = properties.get("widget") or None
    if widget == "checkboxes" and field_type is FieldType.CHOICE:
        field_type = FieldType.MULTICHOICE
    if widget is None and field_type is FieldType.CHOICE:
        widget = "radio"
    elif widget is None and field_type is FieldType.MULTICHOICE:
        widget = "checkboxes"

    page = _page(properties.get("page"), state, name)
    if texts["page_title"]:
        known = state.titles.setdefault(page, texts["page_title"])
        if known != texts["page_title"]:
            raise FormDefinitionError(f"page {page + 1} has two different titles", field=name)

    options = tuple(
        Option(value=value.get("id") or "", label=LocalText(value.get("name") or value.get("id") or ""))
        for value in node.findall("camunda:value", NS)
    )
    if any(not option.value for option in options):
        raise FormDefinitionError("option (camunda:value) without an id", field=name)
    field = FormField(
        name=name,
        type=field_type,
        label=LocalText(texts["label"]),
        hint=LocalText(texts["hint"]) if texts["hint"] else None,
        options=options,
        widget=widget,
        page=page,
        source=properties.get("source") or None,
    )
    field = _apply_constraints(field, node)
    field = dataclasses.replace(field, default=_default(field, node.get("defaultValue")))
    check_field(field)
    return field


def _texts(node: Any, properties: dict[str, str], name: str) -> dict[str, dict[str, str]]:
    """Label, hint and page title per locale, from the label attribute and the (localized) properties."""
    texts: dict[str, dict[str, str]] = {"label": {}, "hint": {}, "page_title": {}}
    if node.get("label"):
        texts["label"][DEFAULT_LOCALE] = node.get("label")
    for kind in texts:
        if properties.get(kind):
            texts[kind][DEFAULT_LOCALE] = properties[kind]
    for key, value in properties.items():
        match = _LOCALIZED_PROPERTY_RE.fullmatch(key)
        if match and value:
            texts[match.group(1)][match.group(2)] = value
    if DEFAULT_LOCALE not in texts["label"]:
        raise FormDefinitionError("missing label", field=name)
    return texts


def _properties(node: Any, name: str) -> dict[str, str]:
    properties: dict[str, str] = {}
    for prop in node.findall("camunda:properties/camunda:property", NS):
        key = prop.get("id") or ""
        if key in properties:
            raise FormDefinitionError(f"property '{key}' is given twice", field=name)
        properties[key] = (prop.get("value") or "").strip()
    return properties


def _field_type(camunda_type: str | None, override: str | None, name: str) -> FieldType:
    for candidate in (override, camunda_type):
        if candidate:
            if candidate in CAMUNDA_TYPES:
                return CAMUNDA_TYPES[candidate]
            try:
                return FieldType(candidate)
            except ValueError:
                raise FormDefinitionError(f"unknown type '{candidate}'", field=name) from None
    return FieldType.TEXT


def _page(raw: str | None, state: _PageState, name: str) -> int:
    if raw:
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise FormDefinitionError(f"page must be a page number from 1, got '{raw}'", field=name)
        state.current = number - 1
    return state.current


def _apply_constraints(field: FormField, node: Any) -> FormField:
    changes: dict[str, Any] = {}
    for constraint in node.findall("camunda:validation/camunda:constraint", NS):
        kind = constraint.get("name") or ""
        config = (constraint.get("config") or "").strip()
        if kind in ("required", "readonly"):
            changes[kind] = True
        elif kind in ("minlength", "maxlength"):
            if not re.fullmatch(r"\d+", config):
                raise FormDefinitionError(f"{kind} needs a whole number, got '{config}'", field=field.name)
            changes["min_length" if kind == "minlength" else "max_length"] = int(config)
        elif kind in ("min", "max"):
            try:
                number = float(config)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise FormDefinitionError(f"{kind} needs a number, got '{config}'", field=field.name)
            changes["minimum" if kind == "min" else "maximum"] = number
        elif kind == "pattern":
            if not config:
                raise FormDefinitionError("pattern constraint without a config", field=field.name)
            check_pattern(config, field=field.name)
            changes["pattern"] = config
        else:
            raise FormDefinitionError(f"unknown constraint '{kind}'", field=field.name)
    return dataclasses.replace(field, **changes)


def _default(field: FormField, raw: str | None) -> Any:
    """Typed default from ``defaultValue`` ('' means none)."""
    if raw is None or raw.strip() == "" or field.type is FieldType.DISPLAY:
        return None
    raw = raw.strip()
    value: Any = raw
    if field.type is FieldType.INTEGER and re.fullmatch(r"[+-]?\d+", raw):
        value = int(raw)
    elif field.type is FieldType.DECIMAL:
        try:
            value = float(raw.replace(",", "."))
            value = value if math.isfinite(value) else None
        except ValueError:
            value = None
    elif field.type is FieldType.BOOLEAN:
        value = {"true": True, "false": False}.get(raw.lower())
    elif field.type is FieldType.MULTICHOICE:
        value = [part.strip() for part in raw.split(",") if part.strip()]
    ok = value is not None and not (field.type is FieldType.INTEGER and not isinstance(value, int))
    if field.type is FieldType.CHOICE:
        ok = value in field.option_values
    elif field.type is FieldType.MULTICHOICE:
        ok = all(item in field.option_values for item in value)
    if not ok:
        raise FormDefinitionError(f"default value '{raw}' does not fit a {field.type.value} field", field=field.name)
    return value
