"""Form documents: the list, the editor (fields table or raw JSON) with a preview citizens would see, saving."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.forms import Form, FormDefinitionError
from engine.services.errors import NotFoundError
from engine.services.studio import forms
from webapp.requests import actor, db, platform
from webapp.studio import studio
from webapp.studio.formtable import (
    EDITOR_TYPES,
    FieldRow,
    Table,
    document_of,
    has_content,
    table_from_form_data,
    table_of,
)

FORM_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,200}")
BLANK_ROWS = 1


def _checked_key(key: str) -> str:
    if not FORM_KEY_RE.fullmatch(key):
        abort(404)
    return key


@studio.get("/forms")
def form_list() -> str:
    return render_template(
        "pages/studio/forms.html",
        documents=forms.list_form_documents(db(), actor(), forms_dir=platform().settings.forms_dir),
    )


@studio.get("/forms/new")
def new_form() -> Response | tuple[str, int]:
    key = request.args.get("key", "").strip()
    if not FORM_KEY_RE.fullmatch(key):
        flash(_("Enter a form key of letters, digits, '_' or '-'."), "warning")
        return redirect(url_for("studio.form_list"))
    return redirect(url_for("studio.form_editor", key=key))


def _parse(document: Any, key: str) -> tuple[Form | None, str | None]:
    try:
        return forms.preview_form_document(document, key=key), None
    except FormDefinitionError as exc:
        return None, str(exc)


def _render(
    key: str, table: Table, raw: str, *, problem: str | None, status: int = 200, blank: int = BLANK_ROWS
) -> tuple[str, int]:
    table.rows = [r for r in table.rows if has_content(r)]
    document, table_errors = document_of(table)
    form, parse_problem = _parse(document, key) if not problem else (None, problem)
    rows = [*table.rows, *(FieldRow(order=str((len(table.rows) + i + 1) * 10)) for i in range(blank))]
    page_count = max([len(table.page_titles), *(_page(r) for r in table.rows)], default=1)
    titles = table.page_titles + [("", "")] * (page_count - len(table.page_titles))
    page = render_template(
        "pages/studio/form_editor.html",
        key=key,
        table=table,
        rows=rows,
        page_titles=titles,
        types=EDITOR_TYPES,
        raw_json=raw or json.dumps(document, ensure_ascii=False, indent=2),
        preview=form,
        problems=[*table_errors, *([parse_problem] if parse_problem else [])],
    )
    return page, status


def _page(row: FieldRow) -> int:
    try:
        return max(int(row.page or "1"), 1)
    except ValueError:
        return 1


@studio.get("/forms/<key>")
def form_editor(key: str) -> tuple[str, int]:
    key = _checked_key(key)
    try:
        document: Any = forms.get_form_document(db(), actor(), key, forms_dir=platform().settings.forms_dir)
    except NotFoundError:
        return _render(key, Table(), "", problem=None)
    form, problem = _parse(document, key)
    raw = json.dumps(document, ensure_ascii=False, indent=2)
    if form is None:
        return _render(key, Table(), raw, problem=problem)
    return _render(key, table_of(form), "", problem=None)


@studio.post("/forms/<key>")
def form_save(key: str) -> Response | tuple[str, int]:
    key = _checked_key(key)
    if request.form.get("mode") == "json":
        return _save_json(key)
    table = table_from_form_data(request.form, request.form.getlist)
    action = request.form.get("action", "preview")
    if action == "add_page":
        table.page_titles.append(("", ""))
    if action != "save":
        return _render(key, table, "", problem=None, blank=BLANK_ROWS + (action == "add_row"))
    document, errors = document_of(table)
    if errors:
        return _render(key, table, "", problem=None, status=400)
    return _store(key, document, lambda problem: _render(key, table, "", problem=problem, status=400))


def _save_json(key: str) -> Response | tuple[str, int]:
    raw = request.form.get("json", "")
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        message = _("The JSON is not valid: %(reason)s", reason=f"{exc.msg} ({exc.lineno}:{exc.colno})")
        return _render(key, Table(), raw, problem=message, status=400)
    form, problem = _parse(document, key)
    table = table_of(form) if form is not None else Table()
    if request.form.get("action") != "save":
        return _render(key, table, raw, problem=problem)
    return _store(key, document, lambda p: _render(key, table, raw, problem=p, status=400))


def _store(key: str, document: dict[str, Any], on_error: Any) -> Response | tuple[str, int]:
    try:
        forms.save_form_document(db(), actor(), key, document)
    except FormDefinitionError as exc:
        return on_error(str(exc))  # type: ignore[no-any-return]
    flash(_("Form %(key)s is saved.", key=key), "success")
    return redirect(url_for("studio.form_editor", key=key))


@studio.post("/forms/<key>/preview")
def form_preview(key: str) -> str:
    """The preview fragment the editor's script fetches on every change (the same HTML as the full page)."""
    key = _checked_key(key)
    if request.form.get("mode") == "json":
        try:
            document: Any = json.loads(request.form.get("json", ""))
        except json.JSONDecodeError as exc:
            return render_template("pages/studio/_form_preview.html", preview=None, problems=[exc.msg])
        errors: list[str] = []
    else:
        document, errors = document_of(table_from_form_data(request.form, request.form.getlist))
    form, problem = _parse(document, key)
    problems = [*errors, *([problem] if problem else [])]
    return render_template("pages/studio/_form_preview.html", preview=form, problems=problems)
