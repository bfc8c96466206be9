"""The form editor's fields table ↔ a form document (the JSON format of `engine.forms.jsonfile`).

The table has one row per field (name, type, labels, hint, required, validation, options, page) plus page titles;
the browser posts it as `<column>-<row>` inputs. Defaults and read-only flags have no column: they travel in a
hidden JSON cell so editing a label never drops them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.forms import Form, LocalText
from engine.forms.model import Field, FieldType

#: Types offered in the editor: the engine's field types, with the single choice split into radios and a list.
EDITOR_TYPES = (
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "email",
    "phone",
    "choice",
    "select",
    "multichoice",
    "boolean",
    "file",
    "display",
)
COLUMNS = (
    "name",
    "type",
    "label_uk",
    "label_en",
    "hint_uk",
    "hint_en",
    "pattern",
    "minimum",
    "maximum",
    "min_length",
    "max_length",
    "options",
    "source",
    "page",
    "order",
    "extra",
)
STRING_WIDGETS = {"textarea": "textarea", "phone": "phone", "file": "file"}


@dataclass
class FieldRow:
    name: str = ""
    type: str = "text"
    label_uk: str = ""
    label_en: str = ""
    hint_uk: str = ""
    hint_en: str = ""
    pattern: str = ""
    minimum: str = ""
    maximum: str = ""
    min_length: str = ""
    max_length: str = ""
    options: str = ""
    source: str = ""
    page: str = "1"
    order: str = ""
    extra: str = ""
    required: bool = False
    delete: bool = False


@dataclass
class Table:
    title_uk: str = ""
    title_en: str = ""
    rows: list[FieldRow] = field(default_factory=list)
    page_titles: list[tuple[str, str]] = field(default_factory=list)  # (uk, en) per page


def _pair(text: LocalText | None) -> tuple[str, str]:
    if text is None:
        return "", ""
    raw = text.to_dict()
    if isinstance(raw, str):
        return raw, ""
    return raw.get("uk", ""), raw.get("en", "")


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def row_of(f: Field) -> FieldRow:
    label, hint = _pair(f.label), _pair(f.hint)
    options = "\n".join(
        f"{o.value} = {_pair(o.label)[0]}" + (f" | {_pair(o.label)[1]}" if _pair(o.label)[1] else "") for o in f.options
    )
    extra = {k: v for k, v in (("default", f.default), ("readOnly", f.readonly or None)) if v is not None}
    kind = "select" if f.type is FieldType.CHOICE and f.widget == "select" else f.type.value
    return FieldRow(
        name=f.name,
        type=kind,
        label_uk=label[0],
        label_en=label[1],
        hint_uk=hint[0],
        hint_en=hint[1],
        pattern=f.pattern or "",
        minimum=_num(f.minimum),
        maximum=_num(f.maximum),
        min_length=_num(f.min_length),
        max_length=_num(f.max_length),
        options=options,
        source=f.source or "",
        page=str(f.page + 1),
        extra=json.dumps(extra, ensure_ascii=False) if extra else "",
        required=f.required,
    )


def table_of(form: Form) -> Table:
    title = _pair(form.title)
    rows = [row_of(f) for f in form.fields]
    for index, row in enumerate(rows, start=1):
        row.order = str(index * 10)
    return Table(title[0], title[1], rows, [_pair(p.title) for p in form.pages])


def table_from_form_data(data: Mapping[str, str], getlist: Any) -> Table:
    """The table as posted: `rows` gives the row count; checkboxes `required-<i>` / `delete-<i>`."""
    count = min(int(data.get("rows", "0") or 0), 500)
    rows = []
    for i in range(count):
        row = FieldRow()
        for column in COLUMNS:
            setattr(row, column, data.get(f"{column}-{i}", "").strip())
        row.required = f"required-{i}" in data
        row.delete = f"delete-{i}" in data
        rows.append(row)
    titles = list(zip(getlist("page_title_uk"), getlist("page_title_en"), strict=False))
    return Table(data.get("title_uk", "").strip(), data.get("title_en", "").strip(), rows, titles)


def _text(uk: str, en: str) -> str | dict[str, str] | None:
    if not uk and not en:
        return None
    if not en:
        return uk
    return {"uk": uk or en, "en": en}


def _number(raw: str, what: str, name: str, errors: list[str]) -> float | int | None:
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        errors.append(f"{name}: {what} must be a number, not {raw!r}")
        return None
    return int(value) if value.is_integer() else value


def _options(raw: str) -> tuple[list[str], dict[str, Any]]:
    values: list[str] = []
    labels: dict[str, Any] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        value, _sep, label = line.partition("=")
        value = value.strip()
        uk, _bar, en = label.partition("|")
        values.append(value)
        text = _text(uk.strip(), en.strip())
        if text is not None:
            labels[value] = text
    return values, labels


def _choice(row: FieldRow) -> tuple[dict[str, Any], dict[str, Any]]:
    values, labels = _options(row.options)
    ui: dict[str, Any] = {"widget": {"choice": "radio", "select": "select", "multichoice": "checkboxes"}[row.type]}
    if labels:
        ui["options"] = labels
    if row.type == "multichoice":
        return {"type": "array", "items": {"type": "string", "enum": values}, "uniqueItems": True}, ui
    return {"type": "string", "enum": values}, ui


def _string(row: FieldRow) -> tuple[dict[str, Any], dict[str, Any]]:
    prop: dict[str, Any] = {"type": "string"}
    ui: dict[str, Any] = {}
    if row.type in ("date", "email"):
        prop["format"] = row.type
    elif row.type in STRING_WIDGETS:
        ui["widget"] = STRING_WIDGETS[row.type]
    if row.pattern and row.type not in ("date", "file"):
        prop["pattern"] = row.pattern
    return prop, ui


def _schema(row: FieldRow, errors: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(JSON Schema property, extra ui keys) of one non-display row."""
    if row.type in ("integer", "decimal"):
        prop: dict[str, Any] = {"type": "integer" if row.type == "integer" else "number"}
        for key, raw in (("minimum", row.minimum), ("maximum", row.maximum)):
            if (value := _number(raw, key, row.name, errors)) is not None:
                prop[key] = value
        return prop, {}
    if row.type == "boolean":
        return {"type": "boolean"}, {}
    if row.type in ("choice", "select"):
        return _choice(row)
    prop, ui = _choice(row) if row.type == "multichoice" else _string(row)
    lengths = ("minItems", "maxItems") if row.type == "multichoice" else ("minLength", "maxLength")
    for key, raw in zip(lengths, (row.min_length, row.max_length), strict=True):
        if (value := _number(raw, key, row.name, errors)) is not None:
            prop[key] = int(value)
    return prop, ui


def _extra(row: FieldRow, prop: dict[str, Any], errors: list[str]) -> None:
    if not row.extra:
        return
    try:
        extra = json.loads(row.extra)
    except json.JSONDecodeError:
        errors.append(f"{row.name}: the hidden default value is not valid JSON")
        return
    if isinstance(extra, dict):
        prop.update({k: v for k, v in extra.items() if k in ("default", "readOnly")})


def has_content(row: FieldRow) -> bool:
    """Whether the analyst typed anything into the row (an untouched blank row is ignored)."""
    return any((row.name, row.label_uk, row.label_en, row.hint_uk, row.hint_en, row.options, row.pattern))


def _sort_key(item: tuple[int, FieldRow]) -> tuple[float, int]:
    index, row = item
    try:
        return float(row.order), index
    except ValueError:
        return float(index * 10), index


def document_of(table: Table) -> tuple[dict[str, Any], list[str]]:
    """The form document the table describes, and the table's own errors (bad numbers, bad pages)."""
    errors: list[str] = []
    properties: dict[str, Any] = {}
    ui_fields: dict[str, Any] = {}
    required: list[str] = []
    pages: dict[int, list[str]] = {}
    rows = [(i, r) for i, r in enumerate(table.rows) if r.name and not r.delete]
    errors.extend(
        f"row {i + 1}: a field needs a name" for i, r in enumerate(table.rows) if has_content(r) and not r.name
    )
    for _index, row in sorted(rows, key=_sort_key):
        ui: dict[str, Any] = {}
        label = _text(row.label_uk, row.label_en)
        if label is not None:
            ui["label"] = label
        hint = _text(row.hint_uk, row.hint_en)
        if hint is not None:
            ui["hint"] = hint
        if row.type == "display":
            ui.update(widget="display", source=row.source or row.name)
        else:
            prop, extra_ui = _schema(row, errors)
            _extra(row, prop, errors)
            properties[row.name] = prop
            ui.update(extra_ui)
            if row.required:
                required.append(row.name)
        ui_fields[row.name] = ui
        page = _number(row.page or "1", "page", row.name, errors) or 1
        pages.setdefault(max(int(page), 1), []).append(row.name)
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    ui_doc: dict[str, Any] = {"fields": ui_fields, "order": list(ui_fields)}
    if len(pages) > 1:
        ui_doc["pages"] = []
        for number in sorted(pages):
            page_doc: dict[str, Any] = {"fields": pages[number]}
            titles = table.page_titles[number - 1] if number - 1 < len(table.page_titles) else ("", "")
            if (title := _text(*titles)) is not None:
                page_doc["title"] = title
            ui_doc["pages"].append(page_doc)
    document: dict[str, Any] = {"schema": schema, "ui": ui_doc}
    if (title := _text(table.title_uk, table.title_en)) is not None:
        document = {"title": title, **document}
    return document, errors
