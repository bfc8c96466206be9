"""API endpoints for tasks: officials' lists, claim and release, and completing any task (citizen or official)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _

from engine.forms import FieldError, Form, check_submission, clean_form_data
from engine.services.cases import applications, steps
from engine.services.cases.views import TaskView
from engine.services.context import Actor
from engine.services.errors import ForbiddenError, TaskClaimedByOtherError, TaskNotOpenError
from engine.services.worklist import queues
from webapp.api import api
from webapp.api.auth import signed_in
from webapp.api.errors import api_error, field_errors
from webapp.api.routes import json_object
from webapp.api.serialize import application_json, may_act, offered_form, queue_item_json, task_json
from webapp.requests import db, platform

SCOPES = ("queue", "mine")


@api.get("/tasks")
def list_tasks() -> Response | tuple[Response, int]:
    actor = signed_in()
    scope = request.args.get("scope", "queue")
    if scope not in SCOPES:
        return api_error(400, _("scope must be queue or mine."))
    if scope == "mine":
        found = queues.my_tasks(db(), actor)
    else:
        found = queues.queue(db(), actor, service_id=request.args.get("service") or None)
    return jsonify([queue_item_json(t) for t in found])


@api.get("/tasks/<task_id>")
def task(task_id: str) -> Response:
    actor = signed_in()
    view = steps.get_task(db(), actor, task_id)
    data = applications.get_application(db(), actor, view.reference).data
    return jsonify(task_json(view, data))


@api.post("/tasks/<task_id>/complete")
def complete(task_id: str) -> Response | tuple[Response, int]:
    actor = signed_in()
    data = json_object().get("data")
    if not isinstance(data, dict):
        return api_error(400, _('Send a JSON object of the form {"data": {field: value}}.'))
    view = steps.get_task(db(), actor, task_id)
    form = offered_form(view)
    if refused := check_submission(form, data):
        return _refuse(actor, view, form, data, refused)
    result = steps.complete_task(db(), platform(), actor, task_id, data)
    return jsonify(application_json(result, actor))


def _refuse(
    actor: Actor, view: TaskView, form: Form, data: dict[str, Any], refused: dict[str, FieldError]
) -> tuple[Response, int]:
    """Data outside the task's `schema` is refused (422), after the same access and conflict checks as completing."""
    mine = {t.id for t in applications.get_application(db(), actor, view.reference).tasks}
    if view.status == "open" and view.id not in mine:
        raise ForbiddenError(view.id)
    if view.status != "open":
        raise TaskNotOpenError(view.id)
    if not may_act(actor, view):
        raise TaskClaimedByOtherError(view.id)
    _cleaned, errors = clean_form_data(form, {k: v for k, v in data.items() if form.has_field(k)})
    return api_error(422, None, errors=field_errors(form, {**errors, **refused}))


@api.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> Response:
    actor = signed_in()
    view = queues.claim(db(), actor, task_id)
    return jsonify(task_json(view, applications.get_application(db(), actor, view.reference).data))


@api.post("/tasks/<task_id>/release")
def release(task_id: str) -> Response:
    actor = signed_in()
    view = queues.release(db(), actor, task_id)
    return jsonify(task_json(view, applications.get_application(db(), actor, view.reference).data))
