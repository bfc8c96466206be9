"""Helpers shared by the citizen pages: sign-in guard, notices, status wording, task lookup."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.references import normalise_reference
from engine.services.cases.prefill import initial_values, presented_form, verified_values
from engine.services.cases.steps import get_task_in_application
from engine.services.cases.views import ApplicationView, TaskView
from engine.services.errors import NotFoundError
from webapp.i18n import current_locale
from webapp.requests import actor, db

P = ParamSpec("P")
R = TypeVar("R")


def login_url() -> str:
    """The sign-in page, coming back here afterwards (a same-site path, which auth.safe_next accepts)."""
    target = request.full_path if request.query_string else request.path
    return url_for("auth.login", next=target)


def signed_in(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Send anonymous visitors to sign in and back to this page."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if not current_user.is_authenticated:
            return redirect(login_url())
        return view(*args, **kwargs)

    return wrapper


def notice(message: str, kind: str = "info") -> None:
    """A one-time message shown at the top of the next page (kind: info, success or warning)."""
    flash(message, kind)


def locale() -> str:
    return current_locale()


def status_tag(view: ApplicationView) -> tuple[str, str]:
    """(label, css modifier) of the status as the applicant thinks of it."""
    if view.status == "error":
        return _("Technical problem"), "tag--red"
    if view.status == "cancelled":
        return _("Cancelled"), "tag--grey"
    if view.status == "completed":
        return _("Completed: %(outcome)s", outcome=view.outcome_name or view.outcome or ""), "tag--green"
    if view.status == "suspended":
        return _("Paused"), "tag--yellow"
    if not view.submitted:
        return _("Draft"), "tag--grey"
    if view.has_open_incident:
        return _("Delayed, being handled"), "tag--yellow"
    if applicant_task(view) is not None:
        return _("Waiting for you"), "tag--yellow"
    return _("In progress"), ""


def applicant_task(view: ApplicationView) -> TaskView | None:
    """The open task the applicant has to do, if any (the start form of a draft, or corrections)."""
    return next((t for t in view.tasks if t.for_applicant and t.status == "open"), None)


def task_of(reference: str, task_id: str) -> tuple[TaskView, ApplicationView]:
    """The task and (the light view of) its application, only if the task belongs to the application in the address."""
    task, view = get_task_in_application(db(), actor(), task_id)
    if task.reference != normalise_reference(reference):
        raise NotFoundError(task_id)
    return with_presented_form(task), view


def task_url(task: TaskView, page: int = 1) -> str:
    return url_for("citizen.task_page", reference=task.reference, task_id=task.id, page=page)


def check_url(task: TaskView) -> str:
    return url_for("citizen.check_answers", reference=task.reference, task_id=task.id)


def answers_so_far(task: TaskView, data: Mapping[str, Any]) -> dict[str, Any]:
    """Saved answers of the task; pages not yet saved start from the application's earlier answers.

    That way a corrections form opens filled in with what the applicant sent before; what is still missing comes
    from the applicant's account (iGov's ``bankId*`` names, e-mail) and the fields' computed defaults. What an
    identity provider vouched for is always its current value.
    """
    form = task.form
    if form is None:
        return {}
    initial = {k: v for k, v in initial_values(db(), actor(), form, data).items() if not _blank(v)}
    values: dict[str, Any] = {}
    for index in range(form.page_count):
        inputs = [f for f in form.fields_on_page(index) if f.is_input]
        saved = any(f.name in task.draft for f in inputs)
        for f in inputs:
            if f.name in task.draft:
                values[f.name] = task.draft[f.name]
            elif not saved and f.name in data:
                values[f.name] = data[f.name]
            elif not saved and f.name in initial:
                values[f.name] = initial[f.name]
    return {**values, **verified_fields(task)}


def verified_fields(task: TaskView) -> dict[str, str]:
    """The applicant's answers an identity provider vouched for: shown read-only, always the current value."""
    if task.form is None or not task.for_applicant:
        return {}
    return verified_values(actor(), task.form)


def _blank(value: Any) -> bool:
    """iGov writes ' ' as the default of optional text fields; an input should start empty instead."""
    return isinstance(value, str) and not value.strip()


def with_presented_form(task: TaskView) -> TaskView:
    """The task with its form as pages offer it (the office picker as a list of organisations)."""
    return dataclasses.replace(task, form=presented_form(db(), task.form))
