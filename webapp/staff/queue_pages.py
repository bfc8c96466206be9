"""The work queue, "My tasks", and taking a task or giving it back."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.cases.views import TaskView
from engine.services.catalog import listing
from engine.services.errors import ConflictError, TaskNotOpenError
from engine.services.summaries import ServiceSummary
from engine.services.worklist import queues
from webapp.i18n import current_locale
from webapp.requests import actor, db
from webapp.staff import staff


@dataclass(frozen=True)
class QueueFilters:
    service: str
    organisation: str
    services: list[tuple[str, str]]
    organisations: list[tuple[str, str]]


def _services() -> dict[str, ServiceSummary]:
    return {s.id: s for s in listing.list_services(db())}


def _titles(services: dict[str, ServiceSummary]) -> dict[str, str]:
    """Service titles in the page's language (task views carry them in the account's language)."""
    return {key: s.title_in(current_locale()) for key, s in services.items()}


def _filters(tasks: list[TaskView], services: dict[str, ServiceSummary]) -> QueueFilters:
    """Filter choices come from the official's own queue, so every option finds something."""
    titles = _titles(services)
    service_options = sorted(
        {(t.service_id, titles.get(t.service_id, t.service_title)) for t in tasks}, key=lambda o: o[1]
    )
    organisation_options = sorted(
        {(s.organisation, s.organisation_name) for t in tasks if (s := services.get(t.service_id))},
        key=lambda o: o[1],
    )
    return QueueFilters(
        service=request.args.get("service", ""),
        organisation=request.args.get("organisation", ""),
        services=service_options,
        organisations=organisation_options,
    )


@staff.get("/queue")
def queue() -> str:
    services = _services()
    everything = queues.queue(db(), actor())
    filters = _filters(everything, services)
    shown = [
        t
        for t in everything
        if (not filters.service or t.service_id == filters.service)
        and (
            not filters.organisation or getattr(services.get(t.service_id), "organisation", "") == filters.organisation
        )
    ]
    return render_template(
        "pages/staff/queue.html", tasks=shown, total=len(everything), filters=filters, titles=_titles(services)
    )


@staff.get("/my")
def my_tasks() -> str:
    tasks = queues.my_tasks(db(), actor())
    return render_template("pages/staff/my_tasks.html", tasks=tasks, titles=_titles(_services()))


def _back(default: str) -> str:
    """Return to the page the button was on (a same-site path only)."""
    target = request.form.get("next", "")
    same_site = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if same_site else default


@staff.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> Response:
    try:
        view, _data = queues.claim(db(), actor(), task_id)
    except ConflictError as exc:
        flash(conflict_text(exc), "warning")
        return redirect(_back(url_for("staff.queue")))
    flash(_("You have taken the task for application %(reference)s.", reference=view.reference), "success")
    return redirect(url_for("staff.task", task_id=task_id))


@staff.post("/tasks/<task_id>/release")
def release(task_id: str) -> Response:
    try:
        view, _data = queues.release(db(), actor(), task_id)
    except ConflictError as exc:
        flash(conflict_text(exc), "warning")
        return redirect(url_for("staff.task", task_id=task_id))
    flash(_("The task for application %(reference)s is back in the queue.", reference=view.reference), "success")
    return redirect(_back(url_for("staff.queue")))


def conflict_text(exc: ConflictError) -> str:
    if isinstance(exc, TaskNotOpenError):
        return str(_("This task has already been completed. Nothing was changed."))
    return str(_("Another official has already taken this task. Nothing was changed."))
