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
from webapp.studio.editor import EditorTarget, parse, preview_fragment, render_editor, table_post
from webapp.studio.formtable import Table, table_of

FORM_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,200}")


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


def _target(key: str) -> EditorTarget:
    return EditorTarget(
        heading=_("Form %(key)s", key=key),
        back_url=url_for("studio.form_list"),
        back_text=_("Back to forms"),
        save_url=url_for("studio.form_save", key=key),
        preview_url=url_for("studio.form_preview", key=key),
        save_text=_("Save the form"),
        parse=lambda document: forms.preview_form_document(document, key=key),
    )


def _render(key: str, table: Table, raw: str, *, problem: str | None, status: int = 200) -> tuple[str, int]:
    return render_editor(_target(key), table, raw, problem=problem, status=status)


def _parse(document: Any, key: str) -> tuple[Form | None, str | None]:
    return parse(_target(key), document)


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
    return table_post(_target(key), lambda document: _store(key, document))


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
    try:
        return _store(key, document)
    except FormDefinitionError as exc:
        return _render(key, table, raw, problem=str(exc), status=400)


def _store(key: str, document: dict[str, Any]) -> Response:
    forms.save_form_document(db(), actor(), key, document)
    flash(_("Form %(key)s is saved.", key=key), "success")
    return redirect(url_for("studio.form_editor", key=key))


@studio.post("/forms/<key>/preview")
def form_preview(key: str) -> str:
    """The preview fragment the editor's script fetches on every change (the same HTML as the full page)."""
    return preview_fragment(_target(_checked_key(key)))
