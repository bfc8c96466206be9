"""The OpenAPI document is valid OpenAPI 3.1, lists what each route can answer, and the answer check can fail."""

from __future__ import annotations

from typing import Any

from flask import Flask
from openapi_spec_validator import validate

from .contract import Answer, problems_of

#: What each operation can answer, read from its route and the engine errors it maps (the document must match).
STATUSES = {
    ("/auth/token", "post"): {"200", "400", "401", "413", "429", "500"},
    ("/services", "get"): {"200", "400", "500"},
    ("/attachments", "post"): {"201", "400", "401", "413", "500"},
    ("/applications", "get"): {"200", "401", "500"},
    ("/applications", "post"): {"201", "400", "401", "404", "409", "413", "422", "500"},
    ("/applications/{reference}", "get"): {"200", "401", "404", "500"},
    ("/applications/{reference}/history", "get"): {"200", "400", "401", "404", "500"},
    ("/applications/{reference}/messages/{name}", "post"): {"200", "400", "401", "403", "404", "409", "413", "500"},
    ("/tasks", "get"): {"200", "400", "401", "403", "500"},
    ("/tasks/{task_id}", "get"): {"200", "401", "404", "500"},
    ("/tasks/{task_id}/complete", "post"): {"200", "400", "401", "403", "404", "409", "413", "422", "500"},
    ("/tasks/{task_id}/claim", "post"): {"200", "401", "404", "409", "500"},
    ("/tasks/{task_id}/release", "post"): {"200", "401", "404", "409", "500"},
    ("/openapi.json", "get"): {"200", "500"},
    ("/statistics", "get"): {"200", "400", "404", "500"},
}


def document_of(app: Flask) -> dict[str, Any]:
    found: dict[str, Any] = app.test_client().get("/api/v1/openapi.json").get_json()
    return found


def test_the_document_is_valid_openapi_3_1(app: Flask):
    validate(document_of(app))


def test_every_operation_lists_every_status_it_can_answer(app: Flask):
    paths = document_of(app)["paths"]
    listed = {(path, method): set(op["responses"]) for path, ops in paths.items() for method, op in ops.items()}
    assert listed == STATUSES


def test_tasks_are_documented_with_their_schema(app: Flask):
    schemas = document_of(app)["components"]["schemas"]
    assert "schema" in schemas["Task"]["required"]
    assert "JSON Schema 2020-12" in schemas["Task"]["properties"]["schema"]["description"]
    assert "input" in schemas["Field"]["required"]


def test_answers_the_document_does_not_describe_are_reported(app: Flask):
    document = document_of(app)
    headers = frozenset({"content-type"})
    assert problems_of(document, Answer("/tasks/{task_id}", "get", 200, {"id": "x"}, headers))  # no name, fields…
    assert problems_of(document, Answer("/tasks/{task_id}", "get", 418, {"error": "x"}, headers)) == [
        "GET /tasks/{task_id} → 418: status not listed (documented: 200, 401, 404, 500)"
    ]
    assert problems_of(document, Answer("/auth/token", "post", 401, {"error": "x"}, headers)) == [
        "POST /auth/token → 401: header WWW-Authenticate missing"
    ]
    assert problems_of(document, Answer("/nothing", "get", 200, None, headers)) == [
        "GET /nothing → 200: the operation is not documented"
    ]
    assert problems_of(document, Answer("/tasks/{task_id}", "get", 404, {"error": "Not found."}, headers)) == []
