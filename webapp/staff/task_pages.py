"""The task page: the citizen's answers and files, the history, and the decision form."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.forms import FieldError, Form, clean_form_data
from engine.services.cases import applications, steps
from engine.services.cases.prefill import computed_defaults
from engine.services.cases.views import ApplicationView, TaskView
from engine.services.context import Actor
from engine.services.errors import ConflictError, ValidationFailedError
from webapp.citizen.formdata import page_values, raw_from_request
from webapp.i18n import field_error_message
from webapp.paging import history_page
from webapp.requests import actor, db, platform
from webapp.staff import staff
from webapp.staff.display import display_context
from webapp.staff.queue_pages import conflict_text


def can_decide(me: Actor, task: TaskView, view: ApplicationView) -> bool:
    """An official task I am a candidate for, open, and held by nobody else (unassigned: completing claims it)."""
    mine = any(t.id == task.id for t in view.tasks)
    free = task.assignee_id is None or task.assignee_id == me.user_id or me.is_admin
    return mine and free and task.status == "open" and not task.for_applicant


def _render(
    task: TaskView,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflict: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    me = actor()
    view = applications.get_application(db(), me, task.reference, history_page=history_page())
    form = task.form
    defaults = computed_defaults(form, view.data) if form else {}
    if values is None:
        saved = (
            {**{f.name: defaults[f.name] for f in form.input_fields if f.name in defaults}, **task.draft}
            if form
            else {}
        )
        values = page_values(form.input_fields, saved) if form else {}
    page = render_template(
        "pages/staff/task.html",
        task=task,
        application=view,
        form=form,
        values=values,
        errors=errors or {},
        conflict=conflict,
        can_decide=can_decide(me, task, view),
        shown=display_context(view, form, defaults),
        has_files=form is not None and any(f.type.value == "file" for f in form.fields),
    )
    return page, status


@staff.get("/tasks/<task_id>")
def task(task_id: str) -> tuple[str, int]:
    return _render(steps.get_task(db(), actor(), task_id))


@staff.post("/tasks/<task_id>/complete")
def complete(task_id: str) -> Response | tuple[str, int]:
    me = actor()
    current = steps.get_task(db(), me, task_id)
    form = current.form
    if form is None or current.for_applicant:
        return _render(current, conflict=_("This step is not done by officials."), status=409)
    raw, upload_errors = raw_from_request(form.input_fields)
    try:
        if upload_errors:
            raise ValidationFailedError(form, _with_other_errors(form, raw, upload_errors))
        view = steps.complete_task(db(), platform(), me, task_id, raw)
    except ValidationFailedError as exc:
        # 200, not 4xx: files uploaded with the rejected submission must be kept (the transaction commits).
        return _render(current, values=raw, errors=_messages(form, exc.errors))
    except ConflictError as exc:
        db().rollback()
        fresh = steps.get_task(db(), me, task_id)
        return _render(fresh, values=raw, conflict=conflict_text(exc), status=409)
    flash(_("Your decision on application %(reference)s has been saved.", reference=view.reference), "success")
    return redirect(url_for("staff.queue"))


def _with_other_errors(form: Form, raw: dict[str, Any], upload_errors: dict[str, FieldError]) -> dict[str, FieldError]:
    """A refused upload plus whatever else is wrong, in form order, so the official fixes everything at once."""
    _cleaned, other = clean_form_data(form, {k: v for k, v in raw.items() if k not in upload_errors})
    merged = {**other, **upload_errors}
    return {f.name: merged[f.name] for f in form.fields if f.name in merged}


def _messages(form: Form, errors: dict[str, FieldError]) -> dict[str, str]:
    return {
        name: field_error_message(form.field(name) if form.has_field(name) else None, e) for name, e in errors.items()
    }
