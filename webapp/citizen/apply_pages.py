"""Applying: start an application, then fill in its form one page at a time."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.forms import FieldError, Form, clean_form_data
from engine.services.cases.applications import start_application
from engine.services.cases.steps import save_draft_page
from engine.services.cases.views import ApplicationView, TaskView
from engine.services.errors import NotFoundError, ServiceUnavailableError, ValidationFailedError
from webapp.citizen import citizen
from webapp.citizen.common import (
    answers_so_far,
    applicant_task,
    check_url,
    notice,
    signed_in,
    task_of,
    task_url,
    verified_fields,
)
from webapp.citizen.formdata import page_values, raw_from_request
from webapp.i18n import field_error_message, local
from webapp.requests import actor, db, platform


@citizen.route("/services/<service_id>/apply", methods=["POST"])
def apply(service_id: str) -> Response:
    if actor().user_id is None:
        return redirect(url_for("auth.login", next=url_for("citizen.service", service_id=service_id)))
    try:
        view = start_application(db(), platform(), actor(), service_id)
    except ServiceUnavailableError:
        notice(_("This service does not take applications online yet."), "warning")
        return redirect(url_for("citizen.service", service_id=service_id))
    task = applicant_task(view)
    if task is None:  # a diagram whose start event has no form: nothing to fill in
        return redirect(url_for("citizen.application", reference=view.reference))
    return redirect(task_url(task))


def open_task_or_redirect(reference: str, task_id: str) -> tuple[TaskView, ApplicationView] | Response:
    """The task and its application, or a redirect to the application page when the task is already done."""
    task, view = task_of(reference, task_id)
    if not task.for_applicant:
        raise NotFoundError(task_id)  # officials' steps are done on the staff pages
    if task.status == "open" and not any(t.id == task.id for t in view.tasks):
        raise NotFoundError(task_id)  # someone who may see the application but not fill in the applicant's form
    if task.status != "open":
        notice(_("This form has already been sent. Nothing was changed."), "info")
        return redirect(url_for("citizen.application", reference=view.reference))
    return task, view


#: Names diagram tools give a start event by default (iGov's are all "Start"): no title for a citizen's page.
_GENERIC_START_NAMES = frozenset({"start", "start event", "startevent", "старт", "початок"})


def page_title(form: Form, task: TaskView, page: int) -> str:
    title = form.pages[page].title or (form.title if form.page_count == 1 else None)
    text = local(title) if title is not None else task.title
    if task.is_start and text.strip().lower() in _GENERIC_START_NAMES:
        return task.service_title
    return text


@citizen.route("/applications/<reference>/tasks/<task_id>/pages/<int:page>", methods=["GET", "POST"])
@signed_in
def task_page(reference: str, task_id: str, page: int) -> str | Response | tuple[str, int]:
    found = open_task_or_redirect(reference, task_id)
    if isinstance(found, Response):
        return found
    task, view = found
    form = task.form
    if form is None or not 1 <= page <= form.page_count:
        abort(404)
    index = page - 1
    fields = form.fields_on_page(index)
    returning = request.args.get("return") == "check"
    errors: dict[str, FieldError] = {}
    if request.method == "POST":
        raw, errors = raw_from_request(fields)
        if not errors:
            try:
                save_draft_page(db(), actor(), task.id, index, raw)
            except ValidationFailedError as exc:
                errors = exc.errors
            else:
                if returning or page == form.page_count:
                    return redirect(check_url(task))
                return redirect(task_url(task, page + 1))
        else:
            # A refused upload: check the rest of the page too, but save nothing until the file is fixed.
            _cleaned, other = clean_form_data(form, {k: v for k, v in raw.items() if k not in errors}, page=index)
            errors = {**{k: e for k, e in other.items() if k not in errors}, **errors}
            errors = {f.name: errors[f.name] for f in fields if f.name in errors}
        values: dict[str, Any] = raw
    else:
        values = page_values(fields, answers_so_far(task, view.data))
    verified = {k: v for k, v in verified_fields(task).items() if any(f.name == k for f in fields)}
    values = {**values, **verified}
    messages = {name: field_error_message(_field(form, name), error) for name, error in errors.items()}
    back = (
        check_url(task)
        if returning
        else task_url(task, page - 1)
        if page > 1
        else url_for("citizen.service", service_id=view.service.id)
        if task.is_start
        else url_for("citizen.application", reference=view.reference)
    )
    return render_template(
        "pages/citizen/task_page.html",
        task=task,
        application=view,
        form=form,
        fields=fields,
        page=page,
        title=page_title(form, task, index),
        values=values,
        errors=messages,
        verified=verified,
        back_url=back,
        action=request.full_path if request.query_string else request.path,
        has_files=any(f.type.value == "file" for f in fields),
    )


def _field(form: Form, name: str) -> Any:
    return form.field(name) if form.has_field(name) else None
