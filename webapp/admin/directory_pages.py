"""The directory as one file: export it (JSON or CSV), check an import (a dry run) and import it.

An import is all or nothing: every problem found is listed, by the place in the file, and nothing is changed.
"""

from __future__ import annotations

from typing import Any, Final

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import SelectField, SubmitField

from engine.services.admin.directory_formats import FORMATS, Problem
from engine.services.admin.directory_io import DirectoryFileError, ImportPlan, export_directory, import_directory
from webapp.admin import admin
from webapp.admin.people import errors_of
from webapp.admin.people_forms import choices
from webapp.requests import actor, db, platform

UPLOAD_LIMIT: Final = 5 * 1024 * 1024
"""The largest directory file taken (a directory of thousands of people is well under 1 MB)."""
MEDIA_TYPES: Final = {"json": "application/json", "csv": "text/csv"}


class DirectoryImportForm(FlaskForm):  # type: ignore[misc]
    file = FileField(lazy_gettext("Directory file"), validators=[FileRequired(lazy_gettext("Choose the file"))])
    format = SelectField(lazy_gettext("Format"), choices=choices([("json", "JSON"), ("csv", "CSV")]), default="json")
    check = SubmitField(lazy_gettext("Check (dry run)"))
    apply = SubmitField(lazy_gettext("Import"))


def _messages() -> dict[str, str]:
    """The problems' texts by code; `%(detail)s` is the value at fault."""
    return {
        "not_json": _("the file is not JSON: %(detail)s"),
        "not_utf8": _("the file is not UTF-8 text"),
        "not_csv": _("the file is not CSV: %(detail)s"),
        "no_header": _("the first line must name the columns, the type column among them"),
        "unknown_column": _("unknown column %(detail)s"),
        "unknown_key": _("unknown key %(detail)s"),
        "missing": _("required, missing"),
        "wrong_type": _("must be %(detail)s"),
        "not_one_of": _("must be one of %(detail)s"),
        "bad_format": _("has a wrong format"),
        "bad_type": _("the type must be organisation, group or person, not %(detail)s"),
        "bad_boolean": _("must be true or false (1/0, yes/no), not %(detail)s"),
        "not_for_type": _("this column is not used on a %(detail)s line"),
        "both_people_and_users": _("give either people or users, not both"),
        "duplicate": _("%(detail)s is in the file more than once"),
        "cycle": _("the parents go round in a circle (each under the next): %(detail)s"),
        "unknown_parent": _("there is no organisation %(detail)s"),
        "unknown_organisation": _("there is no organisation %(detail)s"),
        "unknown_group": _("there is no group %(detail)s"),
        "bad_slug": _("%(detail)s is not a short name (small Latin letters, digits and hyphens)"),
        "slug_taken": _("another organisation has the short name %(detail)s"),
        "no_name": _("required, empty"),
        "too_long": _("is too long"),
        "bad_kind": _("is not a kind of organisation"),
        "bad_edrpou": _("%(detail)s is not an ЄДРПОУ code (8 digits, the last one the control digit)"),
        "edrpou_taken": _("another organisation has the ЄДРПОУ code %(detail)s"),
        "own_descendant": _("an organisation cannot stand under itself or under one below it"),
        "parent_kind": _("this kind of organisation cannot stand there"),
        "citizen": _("%(detail)s is a citizen's account: citizens are not part of the directory"),
        "username_taken": _("another account has the username %(detail)s"),
        "last_admin": _("the last active administrator must stay an administrator"),
        "self": _("you cannot change your own role"),
        "active_on_person_page": _("deactivate or reactivate people on their page (a reason is asked)"),
    }


def problem_rows(problems: list[Problem]) -> list[dict[str, str]]:
    """Each problem as where, field and a translated message (the engine's English text for an unknown code)."""
    messages = _messages()
    rows = []
    for problem in problems:
        text = messages.get(problem.code)
        message = text % {"detail": problem.detail} if text is not None else str(problem)
        rows.append({"where": problem.where, "field": problem.field, "message": message})
    return rows


def _page(form: DirectoryImportForm, *, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("errors", errors_of(form))
    return render_template("pages/admin/directory.html", form=form, formats=FORMATS, **context), status


@admin.get("/directory")
def directory() -> tuple[str, int]:
    return _page(DirectoryImportForm(formdata=None))


@admin.get("/directory/export")
def directory_export() -> Response:
    fmt = request.args.get("format", "json")
    if fmt not in FORMATS:
        abort(400)
    text = export_directory(db(), actor(), fmt)
    name = f"directory-{platform().clock.now().date().isoformat()}.{fmt}"
    return Response(
        text,
        mimetype=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@admin.post("/directory/import")
def directory_import() -> tuple[str, int]:
    form = DirectoryImportForm()
    if not form.validate():
        return _page(form, status=422)
    data = form.file.data.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        return _page(form, status=422, errors={"file": _("The file must be smaller than 5 MB")})
    dry_run = not form.apply.data
    try:
        plan: ImportPlan = import_directory(db(), actor(), data, form.format.data, dry_run=dry_run)
    except DirectoryFileError as exc:
        summary = _("The file has %(count)d problem(s): nothing was imported", count=len(exc.problems))
        return _page(form, status=422, errors={"file": summary}, problems=problem_rows(exc.problems))
    return _page(form, plan=plan, dry_run=dry_run, filename=form.file.data.filename or "")
