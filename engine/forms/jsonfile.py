"""Loader for form files (``forms/<key>.json``) — the analysts' contract for forms too rich for inline BPMN forms.

A form file is a JSON object with three keys::

    {
      "title": {"uk": "Заява", "en": "Application"},        // optional; a string means Ukrainian
      "schema": { ...JSON Schema 2020-12 of the submitted data... },
      "ui": { ...labels, widgets, order and pages... }      // optional
    }

``schema`` must be a valid JSON Schema 2020-12 with ``"type": "object"``. Each entry of ``properties`` is one
field, and only these shapes and keywords are allowed (anything else is an error, so no rule is silently lost):

* ``{"type": "string"}`` with optional ``minLength``, ``maxLength``, ``pattern`` (the whole answer must match),
  ``format`` (``date`` or ``email``) or ``enum`` (a list of strings: a single choice);
* ``{"type": "integer"}`` / ``{"type": "number"}`` with optional ``minimum``, ``maximum``;
* ``{"type": "boolean"}``;
* ``{"type": "array", "items": {"type": "string", "enum": [...]}}`` with optional ``uniqueItems``,
  ``minItems``, ``maxItems``: a multiple choice;
* on any of them: ``title`` (label if ``ui`` gives none), ``description`` (hint), ``default``, ``readOnly``,
  ``$comment``, ``examples``.

``required`` lists the properties that must be answered (a required boolean must be answered yes or no).

``ui`` has three optional keys:

* ``fields``: per field ``label`` and ``hint`` (string or ``{"uk": ..., "en": ...}``), ``widget``, ``options``
  (enum value → label; the label defaults to the value), ``readonly`` and, for display fields, ``source``.
  Widgets: ``textarea``, ``phone``, ``file`` (on string properties), ``radio`` / ``select`` (single choice),
  ``checkboxes`` (multiple choice), and ``display``: a read-only view of the earlier value of the data variable
  named in ``source``; display fields exist only in ``ui.fields``, never in the schema.
* ``order``: every field name exactly once; defaults to the schema order followed by the display fields.
* ``pages``: ``[{"title": ..., "fields": [...]}, ...]``; every field must be on exactly one page; without it,
  the form has one page.

The field type is inferred: an explicit widget wins; then integer → integer, number → decimal, boolean →
boolean, string with format date / email → date / email, string with enum → choice (radio), array of string
enum → multichoice, any other string → text. Field names must be identifiers (letters, digits, ``_``) because
they become process variables.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from engine.forms.checks import check_field, check_name
from engine.forms.errors import FormDefinitionError
from engine.forms.model import Field, FieldType, Form, LocalText, Option, Page

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
_DOCUMENT_KEYS: Final = frozenset({"title", "schema", "ui", "$comment"})
_SCHEMA_KEYS: Final = frozenset(
    {"$schema", "$id", "$comment", "type", "required", "properties", "title", "description", "additionalProperties"}
)
_UI_KEYS: Final = frozenset({"fields", "order", "pages"})
_UI_FIELD_KEYS: Final = frozenset({"label", "hint", "widget", "options", "source", "readonly"})
_COMMON_KEYWORDS: Final = frozenset({"type", "title", "description", "default", "readOnly", "$comment", "examples"})
_TYPE_KEYWORDS: Final[Mapping[str, frozenset[str]]] = {
    "string": frozenset({"minLength", "maxLength", "pattern", "format", "enum"}),
    "integer": frozenset({"minimum", "maximum"}),
    "number": frozenset({"minimum", "maximum"}),
    "boolean": frozenset(),
    "array": frozenset({"items", "uniqueItems", "minItems", "maxItems"}),
}
_WIDGET_TYPES: Final = {
    "textarea": FieldType.TEXTAREA,
    "phone": FieldType.PHONE,
    "file": FieldType.FILE,
    "display": FieldType.DISPLAY,
    "radio": FieldType.CHOICE,
    "select": FieldType.CHOICE,
    "checkboxes": FieldType.MULTICHOICE,
}


def load_form_file(path: Path, *, key: str) -> Form:
    """Read and parse a form file; every error names the file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FormDefinitionError(f"cannot read form file: {exc}", file=path) from None
    except json.JSONDecodeError as exc:
        raise FormDefinitionError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=path
        ) from None
    try:
        return parse_form_document(doc, key=key)
    except FormDefinitionError as exc:
        exc.file = str(path)
        raise


def parse_form_document(doc: Mapping[str, Any], *, key: str) -> Form:
    """Build a Form from an already decoded form document (see the module docstring for the format)."""
    if not isinstance(doc, Mapping):
        raise FormDefinitionError("a form file must contain a JSON object")
    _reject_unknown(doc, _DOCUMENT_KEYS, "form file")
    schema = doc.get("schema")
    if not isinstance(schema, Mapping):
        raise FormDefinitionError("'schema' must be a JSON object")
    _check_schema(schema)
    ui = _mapping(doc.get("ui", {}), "'ui'")
    _reject_unknown(ui, _UI_KEYS, "'ui'")
    ui_fields = _mapping(ui.get("fields", {}), "'ui.fields'")
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    for name in required - set(properties):
        raise FormDefinitionError("'required' names a property that the schema does not define", field=name)

    fields: dict[str, Field] = {}
    for name, prop in properties.items():
        fields[name] = _field(name, prop, _mapping(ui_fields.get(name, {}), f"ui of '{name}'"), name in required)
    for name, raw_ui in ui_fields.items():
        if name not in properties:
            ui_field = _mapping(raw_ui, f"ui of '{name}'")
            if ui_field.get("widget") != "display":
                raise FormDefinitionError("ui.fields names a property that the schema does not define", field=name)
            fields[name] = _field(name, None, ui_field, False)

    ordered = _order(ui.get("order"), fields)
    title = _text(doc["title"], "title") if "title" in doc else None
    if "pages" not in ui:
        return Form.single_page(key, title, ordered)
    pages = _pages(ui["pages"], fields)
    page_of = {name: index for index, page in enumerate(pages) for name in page.fields}
    placed = tuple(dataclasses.replace(field, page=page_of[field.name]) for field in ordered)
    return Form(key=key, title=title, fields=placed, pages=pages)


def _reject_unknown(data: Mapping[str, Any], allowed: frozenset[str], where: str, *, field: str | None = None) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise FormDefinitionError(f"unknown key(s) in {where}: {', '.join(unknown)}", field=field)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise FormDefinitionError(f"{where} must be a JSON object")
    return value


def _text(value: Any, where: str, *, field: str | None = None) -> LocalText:
    if isinstance(value, str) and value.strip():
        return LocalText(value)
    if (
        isinstance(value, Mapping)
        and value
        and all(isinstance(k, str) and k for k in value)
        and all(isinstance(v, str) and v.strip() for v in value.values())
    ):
        return LocalText(value)
    raise FormDefinitionError(f"{where} must be a non-empty string or an object of locale → text", field=field)


def _check_schema(schema: Mapping[str, Any]) -> None:
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        location = "/".join(str(part) for part in exc.path)
        raise FormDefinitionError(f"invalid JSON Schema at '{location}': {exc.message}") from None
    if schema.get("$schema", SCHEMA_DIALECT) != SCHEMA_DIALECT:
        raise FormDefinitionError(f"'$schema' must be {SCHEMA_DIALECT}")
    _reject_unknown(schema, _SCHEMA_KEYS, "the top level of 'schema'")
    if schema.get("type") != "object":
        raise FormDefinitionError('\'schema\' must have "type": "object"')
    if schema.get("additionalProperties", False) is not False:
        raise FormDefinitionError("'additionalProperties' can only be false (extra answers are never accepted)")
    for name, prop in schema.get("properties", {}).items():
        check_name(name)
        if not isinstance(prop, Mapping):
            raise FormDefinitionError("property schema must be an object", field=name)
        kind = prop.get("type")
        if not isinstance(kind, str) or kind not in _TYPE_KEYWORDS:
            raise FormDefinitionError(f"unsupported property type {kind!r}", field=name)
        _reject_unknown(prop, _COMMON_KEYWORDS | _TYPE_KEYWORDS[kind], f"a {kind} property", field=name)


def _enum(prop: Mapping[str, Any], name: str) -> list[str] | None:
    """The string enum of a string property or of an array's items."""
    if prop["type"] == "array":
        items = prop.get("items")
        if not isinstance(items, Mapping) or items.get("type") != "string" or "enum" not in items:
            raise FormDefinitionError('array properties need "items": {"type": "string", "enum": [...]}', field=name)
        _reject_unknown(items, frozenset({"type", "enum"}), "array items", field=name)
        prop = items
    enum = prop.get("enum")
    if enum is None:
        return None
    if not all(isinstance(value, str) and value for value in enum):
        raise FormDefinitionError("enum values must be non-empty strings", field=name)
    return list(enum)


def _infer_type(prop: Mapping[str, Any] | None, widget: str | None, enum: list[str] | None, name: str) -> FieldType:
    kind = None if prop is None else prop["type"]
    fmt = None if prop is None else prop.get("format")
    if fmt is not None and fmt not in ("date", "email"):
        raise FormDefinitionError(f"unsupported format '{fmt}' (use date or email)", field=name)
    if fmt is not None and (enum is not None or widget is not None):
        raise FormDefinitionError("format cannot be combined with an enum or a widget", field=name)
    if widget is not None:
        if widget not in _WIDGET_TYPES:
            raise FormDefinitionError(f"unknown widget '{widget}'", field=name)
        field_type = _WIDGET_TYPES[widget]
        expected = {FieldType.DISPLAY: None, FieldType.MULTICHOICE: "array"}.get(field_type, "string")
        if kind != expected:
            what = "no schema property" if expected is None else f"a {expected} property"
            raise FormDefinitionError(f"widget '{widget}' needs {what}", field=name)
        if field_type in (FieldType.CHOICE, FieldType.MULTICHOICE) and enum is None:
            raise FormDefinitionError(f"widget '{widget}' needs an enum", field=name)
        if field_type not in (FieldType.CHOICE, FieldType.DISPLAY) and enum is not None and kind == "string":
            raise FormDefinitionError(f"widget '{widget}' cannot be used with an enum", field=name)
        return field_type
    assert prop is not None
    simple = {"integer": FieldType.INTEGER, "number": FieldType.DECIMAL, "boolean": FieldType.BOOLEAN}
    if kind in simple:
        return simple[kind]
    if kind == "array":
        return FieldType.MULTICHOICE
    if fmt is not None:
        return FieldType(fmt)
    return FieldType.CHOICE if enum is not None else FieldType.TEXT


def _number(prop: Mapping[str, Any], key: str) -> float | None:
    value = prop.get(key)
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise FormDefinitionError(f"{key} must be a finite number")
    return number


def _count(prop: Mapping[str, Any], key: str) -> int | None:
    value = prop.get(key)
    return None if value is None else int(value)


def _field(name: str, prop: Mapping[str, Any] | None, ui: Mapping[str, Any], required: bool) -> Field:
    _reject_unknown(ui, _UI_FIELD_KEYS, "ui field", field=name)
    if "label" in ui:
        label = _text(ui["label"], "label", field=name)
    elif prop is not None and "title" in prop:
        label = _text(prop["title"], "title", field=name)
    else:
        raise FormDefinitionError("missing label (ui.fields.<name>.label or the property's title)", field=name)
    hint = None
    if "hint" in ui:
        hint = _text(ui["hint"], "hint", field=name)
    elif prop is not None and "description" in prop:
        hint = _text(prop["description"], "description", field=name)

    widget = ui.get("widget")
    enum = None if prop is None else _enum(prop, name)
    field_type = _infer_type(prop, widget, enum, name)
    options = _options(enum, ui.get("options"), name)
    if options and field_type not in (FieldType.CHOICE, FieldType.MULTICHOICE):
        raise FormDefinitionError(f"enum cannot be used with a {field_type.value} field", field=name)
    if field_type is FieldType.CHOICE:
        widget = widget or "radio"
    elif field_type is FieldType.MULTICHOICE:
        widget = "checkboxes"
    else:
        widget = None
    readonly = ui.get("readonly", False)
    if not isinstance(readonly, bool):
        raise FormDefinitionError("readonly must be true or false", field=name)
    source = ui.get("source")
    if source is not None and not isinstance(source, str):
        raise FormDefinitionError("source must be a string", field=name)
    prop = prop or {}
    is_array = prop.get("type") == "array"
    field = Field(
        name=name,
        type=field_type,
        label=label,
        hint=hint,
        required=required,
        options=options,
        widget=widget,
        pattern=prop.get("pattern"),
        minimum=_number(prop, "minimum"),
        maximum=_number(prop, "maximum"),
        min_length=_count(prop, "minItems" if is_array else "minLength"),
        max_length=_count(prop, "maxItems" if is_array else "maxLength"),
        source=source,
        default=prop.get("default"),
        readonly=readonly or bool(prop.get("readOnly", False)),
    )
    try:
        check_field(field)
    except FormDefinitionError as exc:
        exc.field = name
        raise
    return field


def _options(enum: list[str] | None, labels: Any, name: str) -> tuple[Option, ...]:
    if enum is None:
        if labels is not None:
            raise FormDefinitionError("options are given but the property has no enum", field=name)
        return ()
    labels = _mapping(labels if labels is not None else {}, f"options of '{name}'")
    for value in labels:
        if value not in enum:
            raise FormDefinitionError(f"options names '{value}', which is not in the enum", field=name)
    return tuple(
        Option(
            value,
            _text(labels[value], f"label of option '{value}'", field=name) if value in labels else LocalText(value),
        )
        for value in enum
    )


def _names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FormDefinitionError(f"{where} must be a list of field names")
    return value


def _order(order: Any, fields: Mapping[str, Field]) -> tuple[Field, ...]:
    if order is None:
        return tuple(fields.values())
    names = _names(order, "ui.order")
    seen: set[str] = set()
    for name in names:
        if name not in fields:
            raise FormDefinitionError("ui.order names an unknown field", field=name)
        if name in seen:
            raise FormDefinitionError("ui.order lists the field twice", field=name)
        seen.add(name)
    missing = [name for name in fields if name not in seen]
    if missing:
        raise FormDefinitionError(f"ui.order must list every field; missing: {', '.join(missing)}")
    return tuple(fields[name] for name in names)


def _pages(raw: Any, fields: Mapping[str, Field]) -> tuple[Page, ...]:
    if not isinstance(raw, list) or not raw:
        raise FormDefinitionError("ui.pages must be a non-empty list")
    pages: list[Page] = []
    placed: dict[str, int] = {}
    for index, raw_page in enumerate(raw):
        where = f"ui.pages[{index}]"
        page = _mapping(raw_page, where)
        _reject_unknown(page, frozenset({"title", "fields"}), where)
        names = _names(page.get("fields"), f"{where}.fields")
        if not names:
            raise FormDefinitionError(f"page {index + 1} has no fields")
        for name in names:
            if name not in fields:
                raise FormDefinitionError(f"page {index + 1} names an unknown field", field=name)
            if name in placed:
                raise FormDefinitionError(f"field is on pages {placed[name] + 1} and {index + 1}", field=name)
            placed[name] = index
        title = _text(page["title"], f"{where}.title") if "title" in page else None
        pages.append(Page(title=title, fields=tuple(names)))
    missing = [name for name in fields if name not in placed]
    if missing:
        raise FormDefinitionError(f"every field must be on a page; not on any page: {', '.join(missing)}")
    return tuple(pages)
