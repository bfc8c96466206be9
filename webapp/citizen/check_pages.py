"""Check your answers, submit, and the confirmation page with the reference number."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.forms import Field, FieldError
from engine.references import normalise_reference
from engine.services.cases.applications import get_application_summary
from engine.services.cases.steps import complete_task
from engine.services.cases.views import TaskView
from engine.services.errors import TaskNotOpenError, ValidationFailedError
from webapp.citizen import citizen
from webapp.citizen.apply_pages import open_task_or_redirect, page_title
from webapp.citizen.common import answers_so_far, notice, signed_in, task_url, verified_fields
from webapp.i18n import field_error_message
from webapp.requests import actor, db, platform


def _sections(task: TaskView, values: dict[str, Any]) -> list[dict[str, Any]]:
    """One summary block per form page: its title, its answers and where to change them."""
    form = task.form
    if form is None:
        return []
    sections = []
    for index in range(form.page_count):
        rows: list[tuple[Field, Any]] = [(f, values.get(f.name)) for f in form.fields_on_page(index) if f.is_input]
        if rows:
            sections.append(
                {
                    "title": page_title(form, task, index) if form.page_count > 1 else None,
                    "rows": rows,
                    "change_url": task_url(task, index + 1) + "?return=check",
                }
            )
    return sections


@citizen.route("/applications/<reference>/tasks/<task_id>/check", methods=["POST"])
@signed_in
def send_answers(reference: str, task_id: str) -> str | Response:
    """Send the saved answers: one locked read of the task, then the step (the page itself is not read again)."""
    sent: list[TaskView] = []

    def answers(task: TaskView, data: dict[str, Any]) -> dict[str, Any]:
        sent.append(task)
        return answers_so_far(task, data)

    try:
        view = complete_task(db(), platform(), actor(), task_id, answers, reference=normalise_reference(reference))
    except (ValidationFailedError, TaskNotOpenError) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailedError) else {}
        return check_answers(reference, task_id, errors=errors)
    if sent and sent[0].is_start:
        return redirect(url_for("citizen.confirmation", reference=view.reference))
    notice(_("Thank you. Your answers have been sent."), "success")
    return redirect(url_for("citizen.application", reference=view.reference))


@citizen.route("/applications/<reference>/tasks/<task_id>/check", methods=["GET"])
@signed_in
def check_answers(reference: str, task_id: str, *, errors: dict[str, FieldError] | None = None) -> str | Response:
    found = open_task_or_redirect(reference, task_id)
    if isinstance(found, Response):
        return found
    task, view = found
    values = answers_so_far(task, view.data)
    errors = errors or {}
    form = task.form
    messages = {
        name: field_error_message(form.field(name) if form is not None and form.has_field(name) else None, error)
        for name, error in errors.items()
    }
    last_page = form.page_count if form is not None else 1
    return render_template(
        "pages/citizen/check_answers.html",
        task=task,
        application=view,
        sections=_sections(task, values),
        errors=messages,
        verified=verified_fields(task),
        back_url=task_url(task, last_page),
    )


@citizen.route("/applications/<reference>/submitted")
@signed_in
def confirmation(reference: str) -> str | Response:
    view = get_application_summary(db(), actor(), reference)
    if not view.submitted:
        return redirect(url_for("citizen.application", reference=view.reference))
    return render_template("pages/citizen/confirmation.html", application=view)
