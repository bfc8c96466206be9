"""Loader for iGov's inline Activiti 5 forms (``activiti:formProperty`` on start events and user tasks).

Real iGov diagrams are read as they are: nothing here raises on a strange field; what cannot be honoured is
reported in the returned warnings (the caller prefixes file names). Mapping of ``type``:

* string (or no type) → text; ids ``email`` / ``phone`` (iGov's reserved, validated ids) → email / phone;
  long → integer; double → decimal; boolean; textArea → textarea; date → date (default converted from
  ``datePattern``, else dd/MM/yyyy, to ISO);
* enum → choice over its ``activiti:value`` options (``sID_CheckboxTrue=<id>`` in the name marks iGov's
  checkbox rendering of a two-option enum: kept as a choice so conditions still see the option ids);
* label → display field with static text (HTML from ``default``) styled by ``labelType``; a label without
  text shows the variable of the same name; invisible → hidden field whose value is ``default``;
* file → file; fileHTML → textarea (reported); select (dynamic lists: offices, users) → text (reported; the
  platform may replace it with its own list); table → textarea holding the rows as JSON (reported);
  queueData → text (reported: no electronic queue); markers → left out (reported: browser rules).

Attributes: ``required``; ``writable="false"`` or ``writable=false`` in the name → read-only (shown to the
official, not editable); ``readable="false"`` or ``bVisible=false`` → hidden; ``variable`` → the process variable
the field reads and writes (the field is named after it); ``expression`` of the form ``${name}`` likewise.
A ``default`` holding ``${...}`` is kept as text: the platform evaluates it with
:func:`engine.bpmn.igov.juel.translate_value` when the form is shown; untranslatable ones are reported here.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, Final

from engine.bpmn.igov.juel import JuelError, translate_value
from engine.forms.checks import check_field
from engine.forms.errors import FormDefinitionError
from engine.forms.igov.names import (
    IGNORED_OPTIONS,
    PICKER_OPTIONS,
    NameParts,
    is_ascii_name,
    iso_date,
    safe_field_name,
    split_name,
)
from engine.forms.model import DISPLAY_STYLES, FieldType, Form, LocalText, Option
from engine.forms.model import Field as FormField

ACTIVITI_NS: Final = "http://activiti.org/bpmn"
_PROPERTY: Final = f"{{{ACTIVITI_NS}}}formProperty"
_VALUE: Final = f"{{{ACTIVITI_NS}}}value"
_SIMPLE_TYPES: Final = {
    "string": FieldType.TEXT,
    "long": FieldType.INTEGER,
    "double": FieldType.DECIMAL,
    "boolean": FieldType.BOOLEAN,
    "textArea": FieldType.TEXTAREA,
    "date": FieldType.DATE,
    "enum": FieldType.CHOICE,
    "file": FieldType.FILE,
    "label": FieldType.DISPLAY,
    "invisible": FieldType.TEXT,
}
#: Types kept with a reduced rendering; the message says what the citizen or official gets instead.
_REDUCED_TYPES: Final = {
    "select": (FieldType.TEXT, "dynamic list (select) not supported: entered as text"),
    "table": (FieldType.TEXTAREA, "table not supported: rows are entered as JSON text"),
    "fileHTML": (FieldType.TEXTAREA, "fileHTML (HTML document editor) not supported: entered as text"),
    "queueData": (FieldType.TEXT, "electronic queue booking (queueData) not supported: entered as text"),
}
_RESERVED_TYPES: Final = {"email": FieldType.EMAIL, "phone": FieldType.PHONE}


class _Reader:
    """Reads the properties of one element, collecting warnings."""

    def __init__(self, element_id: str) -> None:
        self.element_id = element_id
        self.warnings: list[str] = []

    def warn(self, field_id: str, message: str) -> None:
        self.warnings.append(f"{self.element_id}: field '{field_id}': {message}")

    def read(self, node: Any) -> FormField | None:
        field_id = (node.get("id") or "").strip()
        if not field_id:
            self.warnings.append(f"{self.element_id}: a form property without an id was ignored")
            return None
        kind = node.get("type") or "string"
        if kind == "markers":
            self.warn(field_id, "markers (browser-side field rules) are not supported and were ignored")
            return None
        parts = split_name(node.get("name"))
        field_type = self._field_type(field_id, kind, parts)
        if field_type is None:
            return None
        name = self._name(node, field_id)
        options = self._options(node, field_id) if field_type is FieldType.CHOICE else ()
        if field_type is FieldType.CHOICE and not options:
            self.warn(field_id, "enum without options: entered as text")
            field_type = FieldType.TEXT
        hidden = kind == "invisible" or node.get("readable") == "false" or parts.options.get("bVisible") == "false"
        readonly = node.get("writable") == "false" or parts.options.get("writable") == "false"
        field = FormField(
            name=name,
            type=field_type,
            label=LocalText(parts.label or field_id),
            hint=LocalText(parts.hint) if parts.hint and field_type is not FieldType.DISPLAY else None,
            required=node.get("required") == "true" and not (hidden or readonly),
            options=options,
            widget="radio" if field_type is FieldType.CHOICE else None,
            hidden=hidden,
            readonly=readonly and not hidden,
        )
        field = self._with_default(field, node, field_id, kind, parts)
        self._check_options(parts, field_id)
        return self._checked(field, field_id)

    def _field_type(self, field_id: str, kind: str, parts: NameParts) -> FieldType | None:
        if kind in _REDUCED_TYPES:
            field_type, message = _REDUCED_TYPES[kind]
            if kind == "select" and PICKER_OPTIONS & parts.options.keys():
                message = "person picker (select of users) not supported: entered as text"
            self.warn(field_id, message)
            return field_type
        if kind not in _SIMPLE_TYPES:
            self.warn(field_id, f"unknown type '{kind}': entered as text")
            return FieldType.TEXT
        if kind == "string" and field_id in _RESERVED_TYPES:
            return _RESERVED_TYPES[field_id]
        return _SIMPLE_TYPES[kind]

    def _name(self, node: Any, field_id: str) -> str:
        variable = (node.get("variable") or "").strip()
        expression = (node.get("expression") or "").strip()
        if expression:
            inner = expression[2:-1].strip() if expression[:2] in ("${", "#{") and expression.endswith("}") else ""
            if inner.isidentifier():
                variable = variable or inner
            else:
                self.warn(field_id, f"expression '{expression}' is not supported (only ${{variable}})")
        name = safe_field_name(variable or field_id)
        if name != (variable or field_id):
            self.warn(field_id, f"id is not a valid variable name: the value is stored as '{name}'")
        return name

    def _options(self, node: Any, field_id: str) -> tuple[Option, ...]:
        options: list[Option] = []
        for value in node.iter(_VALUE):
            option_id = (value.get("id") or "").strip()
            if not option_id:
                self.warn(field_id, "an option without an id was ignored")
            elif any(option.value == option_id for option in options):
                self.warn(field_id, f"option '{option_id}' is listed twice; the first is kept")
            else:
                options.append(Option(value=option_id, label=LocalText(value.get("name") or option_id)))
        return tuple(options)

    def _check_options(self, parts: NameParts, field_id: str) -> None:
        for key, value in parts.options.items():
            if key in ("bVisible", "writable") and value in ("true", "false"):
                continue
            if key in IGNORED_OPTIONS or key in PICKER_OPTIONS or key in ("labelType", "sID_CheckboxTrue"):
                continue
            self.warn(field_id, f"option '{key}={value}' in the name is not supported and was ignored")
        for token in parts.unknown:
            self.warn(field_id, f"text '{token}' in the options part of the name was ignored")

    def _with_default(self, field: FormField, node: Any, field_id: str, kind: str, parts: NameParts) -> FormField:
        raw = node.get("default")
        if field.type is FieldType.DISPLAY:
            return self._label(field, raw, parts)
        if raw is None:
            return field
        if "${" in raw or "#{" in raw:
            try:
                translate_value(raw)
            except JuelError as exc:
                self.warn(field_id, f"default '{raw}' cannot be computed ({exc.message}); it was ignored")
                return field
            return dataclasses.replace(field, default=raw)
        value = self._typed_default(field, raw, field_id, kind, node.get("datePattern"))
        return dataclasses.replace(field, default=value)

    def _label(self, field: FormField, raw: str | None, parts: NameParts) -> FormField:
        style = parts.options.get("labelType")
        if style is not None and style not in DISPLAY_STYLES:
            self.warn(field.name, f"labelType '{style}' is not one of {', '.join(DISPLAY_STYLES)}; 'info' is used")
            style = "info"
        if raw is None or not raw.strip():
            return dataclasses.replace(field, source=field.name, widget=style)
        return dataclasses.replace(field, default=raw.strip(), widget=style or "info")

    def _typed_default(self, field: FormField, raw: str, field_id: str, kind: str, pattern: str | None) -> Any:
        if field.hidden or (field.readonly and field.type in (FieldType.TEXT, FieldType.TEXTAREA)):
            return raw  # technical values are kept exactly: iGov tests e.g. sID_Payment != ' '
        text = raw.strip()
        if not text or kind == "select":
            return None
        value: Any = text
        if field.type is FieldType.FILE:
            self.warn(field_id, "a default of a file field is ignored")
            return None
        if field.type is FieldType.INTEGER:
            value = int(text) if text.lstrip("+-").isdigit() else None
        elif field.type is FieldType.DECIMAL:
            try:
                number = float(text.replace(",", "."))
                value = number if math.isfinite(number) else None
            except ValueError:
                value = None
        elif field.type is FieldType.BOOLEAN:
            value = {"true": True, "false": False}.get(text.lower())
        elif field.type is FieldType.DATE:
            value = iso_date(text, pattern)
        elif field.type is FieldType.CHOICE and text not in field.option_values:
            value = None
        elif kind == "table":
            value = None if _is_json(text) else text  # a JSON column spec, not rows
        if value is None:
            self.warn(field_id, f"default '{text}' does not fit a {field.type.value} field; it was ignored")
        return value

    def _checked(self, field: FormField, field_id: str) -> FormField | None:
        probe = field if is_ascii_name(field.name) else dataclasses.replace(field, name="probe")
        if probe.source is not None and not is_ascii_name(probe.source):
            probe = dataclasses.replace(probe, source="probe")
        try:
            check_field(probe)
        except FormDefinitionError as exc:  # pragma: no cover - the reader only builds consistent fields
            self.warn(field_id, f"field was ignored: {exc}")
            return None
        return field


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def read_activiti_form(element: Any, *, element_id: str) -> tuple[Form | None, list[str]]:
    """The form of a startEvent / userTask from its ``activiti:formProperty`` elements, and the warnings.

    None when the element has no form property (or none that can be shown). Duplicate ids in one element keep
    the first property (as iGov's dashboard did) with a warning.
    """
    reader = _Reader(element_id)
    fields: list[FormField] = []
    for node in element.iterfind(f"{{*}}extensionElements/{_PROPERTY}"):
        field = reader.read(node)
        if field is None:
            continue
        if any(existing.name == field.name for existing in fields):
            reader.warn(node.get("id") or field.name, "the id is used twice in this form; the first is kept")
            continue
        fields.append(field)
    if not fields:
        return None, reader.warnings
    title = (element.get("name") or "").strip()
    return Form.single_page(key=None, title=LocalText(title) if title else None, fields=tuple(fields)), reader.warnings


__all__ = ["ACTIVITI_NS", "read_activiti_form"]
