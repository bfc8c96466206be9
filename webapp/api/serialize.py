"""Read models to the JSON shapes of the API contract (issue 2, section 3); extra keys only ever added."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.forms import Field, FieldType, Form, submission_schema
from engine.services.cases.prefill import computed_defaults, initial_values, presented_form
from engine.services.cases.views import ApplicationView, HistoryItem, TaskView
from engine.services.context import Actor
from engine.services.summaries import ServiceSummary
from webapp.i18n import current_locale, local
from webapp.requests import actor, db

CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTICHOICE})
NO_FORM = Form.single_page(None, None, ())


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def service_json(service: ServiceSummary) -> dict[str, Any]:
    return {
        "id": service.id,
        "title": service.title_in(current_locale()),
        "version": service.version,
        "organisation": service.organisation,
        "organisation_name": service.organisation_name,
        "category": service.category,
        "availability": service.availability,
        "sla_days": service.sla_days,
    }


def field_json(field: Field, data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "name": field.name,
        "type": field.type.value,
        "label": local(field.label),
        "required": field.required,
        "options": [{"value": o.value, "label": local(o.label)} for o in field.options]
        if field.type in CHOICE_TYPES
        else None,
        "input": field.is_input,
        "hint": local(field.hint) if field.hint is not None else None,
    }
    if field.type is FieldType.DISPLAY:
        result["value"] = data.get(field.source) if field.source else None
    return result


def fields_json(form: Form | None, data: dict[str, Any]) -> list[dict[str, Any]]:
    return [field_json(f, data) for f in form.fields] if form is not None else []


def offered_form(task: TaskView) -> Form:
    """The task's form as it is filled in (the office picker as a list of organisations): what complete checks."""
    return presented_form(db(), task.form) or NO_FORM


def starting_values(task: TaskView, form: Form, data: dict[str, Any]) -> dict[str, Any]:
    """What the form starts with, as the pages show it: saved answers, earlier answers, the account, defaults."""
    inputs = {f.name for f in form.input_fields}
    if task.for_applicant:
        start = {**initial_values(db(), actor(), form, data), **{k: v for k, v in data.items() if k in inputs}}
    else:
        start = computed_defaults(form, data)
    return {k: v for k, v in {**start, **task.draft}.items() if k in inputs}


def task_json(task: TaskView, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A task with its form; `data` feeds the display fields (the application's answers so far).

    `schema` is the JSON Schema of exactly the data POST /tasks/{id}/complete accepts, in the caller's language.
    """
    form, data = offered_form(task), data or {}
    return {
        "id": task.id,
        "name": task.element_id,
        "title": task.title,
        "reference": task.reference,
        "service": task.service_id,
        "status": task.status,
        "assignee": task.assignee,
        "created": when(task.created_at),
        "due": when(task.due_at),
        "fields": fields_json(form, data),
        "schema": submission_schema(form, locale=current_locale(), defaults=starting_values(task, form, data)),
    }


def queue_item_json(task: TaskView) -> dict[str, Any]:
    return {
        "id": task.id,
        "reference": task.reference,
        "service": task.service_id,
        "service_title": task.service_title,
        "name": task.element_id,
        "title": task.title,
        "assignee": task.assignee,
        "created": when(task.created_at),
        "due": when(task.due_at),
        "overdue": task.overdue,
    }


def history_json(item: HistoryItem) -> dict[str, Any]:
    return {"at": when(item.at), "event": item.event, "step": item.step, "title": item.title, "by": item.by}


def may_act(actor: Actor, task: TaskView) -> bool:
    """Open tasks the caller is a candidate for and nobody else holds."""
    return task.status == "open" and (task.assignee_id in (None, actor.user_id) or actor.is_admin)


def application_json(view: ApplicationView, actor: Actor) -> dict[str, Any]:
    """A write answers with the light view: no `history` (read it with GET, a page at a time)."""
    body: dict[str, Any] = {
        "reference": view.reference,
        "service": view.service.id,
        "service_title": view.service.title_in(current_locale()),
        "status": view.status,
        "outcome": view.outcome,
        "outcome_title": view.outcome_name,
        "created_at": when(view.created_at),
        "submitted_at": when(view.submitted_at),
        "closed_at": when(view.closed_at),
        "error": {"step": view.error_element, "message": view.error_message} if view.status == "error" else None,
        "tasks": [task_json(t, view.data) for t in view.tasks if may_act(actor, t)],
    }
    if view.history is not None:
        body["history"] = [history_json(h) for h in view.history]
        body["history_page"] = history_page_json(view)
    return body


def history_page_json(view: ApplicationView) -> dict[str, int]:
    """Which page of the timeline `history` is (page 1 = the newest events) and how many there are."""
    return {"page": view.history_page, "pages": view.history_pages, "total": view.history_total}
