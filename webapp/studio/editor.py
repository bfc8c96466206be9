"""The fields-table editor shared by form documents and a step's inline fields: one page, one preview, one parser."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from werkzeug.wrappers import Response

from engine.forms import Form, FormDefinitionError
from webapp.studio.formtable import EDITOR_TYPES, FieldRow, Table, document_of, has_content, table_from_form_data

BLANK_ROWS = 1
Parser = Callable[[dict[str, Any]], Form]


@dataclass(frozen=True)
class EditorTarget:
    """What the editor edits: the headings and links of the page and how a document becomes a Form."""

    heading: str
    back_url: str
    back_text: str
    save_url: str
    preview_url: str
    save_text: str
    parse: Parser
    show_title: bool = True  # an inline form's title is its step's name
    json_editor: bool = True
    note: str = ""


def parse(target: EditorTarget, document: Any) -> tuple[Form | None, str | None]:
    try:
        return target.parse(document), None
    except FormDefinitionError as exc:
        return None, str(exc)


def _page(row: FieldRow) -> int:
    try:
        return max(int(row.page or "1"), 1)
    except ValueError:
        return 1


def render_editor(
    target: EditorTarget, table: Table, raw: str, *, problem: str | None, status: int = 200, blank: int = BLANK_ROWS
) -> tuple[str, int]:
    """The editor page: the table (plus blank rows to fill in), the raw JSON if offered, and the live preview."""
    table.rows = [r for r in table.rows if has_content(r)]
    document, table_errors = document_of(table)
    form, parse_problem = parse(target, document) if not problem else (None, problem)
    rows = [*table.rows, *(FieldRow(order=str((len(table.rows) + i + 1) * 10)) for i in range(blank))]
    page_count = max([len(table.page_titles), *(_page(r) for r in table.rows)], default=1)
    titles = table.page_titles + [("", "")] * (page_count - len(table.page_titles))
    page = render_template(
        "pages/studio/form_editor.html",
        target=target,
        table=table,
        rows=rows,
        page_titles=titles,
        types=EDITOR_TYPES,
        raw_json=raw or json.dumps(document, ensure_ascii=False, indent=2),
        preview=form,
        problems=[*table_errors, *([parse_problem] if parse_problem else [])],
    )
    return page, status


def table_post(target: EditorTarget, store: Callable[[dict[str, Any]], Response]) -> Response | tuple[str, int]:
    """A posted fields table: add a row or a page, preview, or save through `store` (FormDefinitionError → page)."""
    table = table_from_form_data(request.form, request.form.getlist)
    action = request.form.get("action", "preview")
    if action == "add_page":
        table.page_titles.append(("", ""))
    if action != "save":
        return render_editor(target, table, "", problem=None, blank=BLANK_ROWS + (action == "add_row"))
    document, errors = document_of(table)
    if errors:
        return render_editor(target, table, "", problem=None, status=400)
    try:
        return store(document)
    except FormDefinitionError as exc:
        return render_editor(target, table, "", problem=str(exc), status=400)


def preview_fragment(target: EditorTarget) -> str:
    """The preview HTML the editor's script fetches on every change (the same partial as the full page)."""
    if request.form.get("mode") == "json":
        try:
            document: Any = json.loads(request.form.get("json", ""))
        except json.JSONDecodeError as exc:
            return render_template("pages/studio/_form_preview.html", preview=None, problems=[exc.msg])
        errors: list[str] = []
    else:
        document, errors = document_of(table_from_form_data(request.form, request.form.getlist))
    form, problem = parse(target, document)
    problems = [*errors, *([problem] if problem else [])]
    return render_template("pages/studio/_form_preview.html", preview=form, problems=problems)
