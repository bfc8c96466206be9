"""API endpoints for tasks: officials' lists, claim and release, and completing any task (citizen or official)."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _

from engine.services.cases import steps
from engine.services.worklist import queues
from webapp.api import api
from webapp.api.auth import signed_in
from webapp.api.errors import api_error
from webapp.api.routes import json_object
from webapp.api.serialize import application_json, queue_item_json, task_json
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
    view, data = steps.get_task_with_data(db(), actor, task_id)
    return jsonify(task_json(view, data))


@api.post("/tasks/<task_id>/complete")
def complete(task_id: str) -> Response | tuple[Response, int]:
    actor = signed_in()
    data = json_object().get("data")
    if not isinstance(data, dict):
        return api_error(400, _('Send a JSON object of the form {"data": {field: value}}.'))
    result = steps.complete_task(db(), platform(), actor, task_id, data, strict=True)
    return jsonify(application_json(result, actor))


@api.post("/tasks/<task_id>/claim")
def claim(task_id: str) -> Response:
    view, data = queues.claim(db(), signed_in(), task_id)
    return jsonify(task_json(view, data))


@api.post("/tasks/<task_id>/release")
def release(task_id: str) -> Response:
    view, data = queues.release(db(), signed_in(), task_id)
    return jsonify(task_json(view, data))
