"""The work queue, "My tasks", and taking a task or giving it back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response

from engine.services.cases.views import TaskView
from engine.services.catalog import listing
from engine.services.errors import ConflictError, TaskNotOpenError
from engine.services.summaries import ServiceSummary
from engine.services.worklist import queue_filters, queues, saved_filters
from engine.services.worklist.queue_filters import QueueQuery
from engine.services.worklist.saved_filters import SavedFilterRefusedError
from webapp.i18n import current_locale
from webapp.requests import actor, db
from webapp.staff import staff


@dataclass(frozen=True)
class QueueChoices:
    """The filter choices, taken from the official's own queue so that every option finds something."""

    services: list[tuple[str, str]]
    organisations: list[tuple[str, str]]
    steps: list[tuple[str, str]]


def _services() -> dict[str, ServiceSummary]:
    return {s.id: s for s in listing.list_services(db())}


def _titles(services: dict[str, ServiceSummary]) -> dict[str, str]:
    """Service titles in the page's language (task views carry them in the account's language)."""
    return {key: s.title_in(current_locale()) for key, s in services.items()}


def _choices(tasks: list[TaskView], services: dict[str, ServiceSummary]) -> QueueChoices:
    titles = _titles(services)
    service_options = sorted(
        {(t.service_id, titles.get(t.service_id, t.service_title)) for t in tasks}, key=lambda o: o[1]
    )
    organisation_options = sorted(
        {(s.organisation, s.organisation_name) for t in tasks if (s := services.get(t.service_id))},
        key=lambda o: o[1],
    )
    return QueueChoices(service_options, organisation_options, [(s, s) for s in sorted({t.title for t in tasks})])


DUE_LABELS: Final = {
    "overdue": lazy_gettext("Overdue"),
    "today": lazy_gettext("Due today"),
    "week": lazy_gettext("Due within 7 days"),
    "none": lazy_gettext("No due date"),
}
HOLDER_LABELS: Final = {
    "unassigned": lazy_gettext("Unassigned"),
    "mine": lazy_gettext("Taken by me"),
    "colleagues": lazy_gettext("Taken by colleagues"),
}


@staff.get("/queue")
def queue() -> str:
    services = _services()
    everything = queues.queue(db(), actor())
    query = QueueQuery.of(request.args)
    shown = queue_filters.filtered(
        db(), actor(), everything, query, organisation_of={key: s.organisation for key, s in services.items()}
    )
    return render_template(
        "pages/staff/queue.html",
        tasks=shown,
        total=len(everything),
        query=query,
        choices=_choices(everything, services),
        due_labels=DUE_LABELS,
        holder_labels=HOLDER_LABELS,
        loads=queue_filters.group_loads(db(), actor()),
        saved=saved_filters.list_filters(db(), actor()),
        titles=_titles(services),
    )


def _saved_refusal(reason: str) -> str:
    messages: dict[str, str] = {
        "no_name": _("Enter a name for the filter"),
        "too_long": _("The name must be %(limit)d characters or fewer", limit=saved_filters.NAME_LIMIT),
        "nothing_to_save": _("Choose at least one filter before saving"),
        "too_many": _("You have %(most)d saved filters: delete one first", most=saved_filters.MOST),
    }
    return messages.get(reason, reason)


@staff.post("/queue/filters")
def save_filter() -> Response:
    query = QueueQuery.of(request.form)
    try:
        saved = saved_filters.save_filter(db(), actor(), request.form.get("name", ""), query)
    except SavedFilterRefusedError as exc:
        db().rollback()
        flash(_saved_refusal(exc.reason), "warning")
        return redirect(_queue_url(query))
    flash(_("The filter “%(name)s” was saved.", name=saved.name), "success")
    return redirect(_queue_url(query))


def _queue_url(query: QueueQuery) -> str:
    args = query.as_args()
    return url_for("staff.queue") + (f"?{urlencode(args)}" if args else "")


@staff.post("/queue/filters/<int:filter_id>/delete")
def delete_filter(filter_id: int) -> Response:
    saved_filters.delete_filter(db(), actor(), filter_id)
    flash(_("The filter was deleted."), "success")
    return redirect(url_for("staff.queue"))


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
