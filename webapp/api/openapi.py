"""The OpenAPI 3.1 description of /api/v1, written by hand next to the routes it describes.

Every operation lists every status it can answer with (tests/integration/api/contract.py checks each answer the
API tests see against this document); errors are JSON `{"error": message}`, 422 adds messages by field.
"""

from __future__ import annotations

from typing import Any

from flask import request

from engine.forms import FieldType

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": ["string", "null"], "format": "date-time"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def reply(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"description": description}
    if schema is not None:
        found["content"] = json_content(schema)
    return found


def with_header(found: dict[str, Any], name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**found, "headers": {name: {"description": description, "schema": schema}}}


ERRORS: dict[str, dict[str, Any]] = {
    "400": reply("Malformed request: not JSON, not an object, or a documented field missing", ref("Error")),
    "401": with_header(
        reply("Missing, malformed or expired bearer token", ref("Error")),
        "WWW-Authenticate",
        "Bearer challenge",
        STRING,
    ),
    "403": reply("Visible to the caller, but the account may not do this", ref("Error")),
    "404": reply("Not found, or not visible to the caller", ref("Error")),
    "409": reply(
        "Someone got there first: the task is no longer open, another official holds it, the application changed "
        "at the same time, or the service takes no applications online",
        ref("Error"),
    ),
    "413": reply("The request body or file is larger than the upload limit", ref("Error")),
    "422": reply("Invalid data; a message by field name", ref("ValidationError")),
    "429": with_header(
        reply("Too many wrong passwords: the account refuses every password for a while", ref("Error")),
        "Retry-After",
        "Seconds until the account takes passwords again",
        {"type": "integer"},
    ),
    "500": reply("Something went wrong on the server; nothing was saved", ref("Error")),
}


LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of labels and titles (else Accept-Language; default uk)",
    "schema": {"type": "string", "enum": ["uk", "en"]},
}


def operation(
    summary: str,
    responses: dict[str, dict[str, Any]],
    *,
    errors: tuple[str, ...] = (),
    body: dict[str, Any] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    public: bool = False,
    tag: str = "applications",
    localised: bool = True,
) -> dict[str, Any]:
    """An operation with the errors it can answer; every one can fail (500), every private one wants a token (401),
    every one with a body can be too large (413); `localised` ones take `lang` (messages, labels, titles)."""
    found: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": dict(responses)}
    always = ("500",) if public else ("401", "500")
    for code in sorted({*errors, *always, *(("413",) if body is not None else ())}):
        found["responses"].setdefault(code, ERRORS[code])
    if body is not None:
        found["requestBody"] = {"required": True, "content": body}
    parameters = [*(parameters or []), *([LANG] if localised else [])]
    if parameters:
        found["parameters"] = parameters
    if public:
        found["security"] = []
    return found


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": STRING}


TASK_ID = [path_param("task_id", "Task id, from an application's tasks or a task list")]

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": STRING}, ["error"]),
    "ValidationError": obj(
        {"error": STRING, "errors": {"type": "object", "additionalProperties": STRING}}, ["error", "errors"]
    ),
    "TokenRequest": obj({"username": STRING, "password": STRING}, ["username", "password"]),
    "Token": obj({"token": STRING, "token_type": STRING, "username": STRING, "role": STRING}, ["token"]),
    "Service": obj(
        {
            "id": STRING,
            "title": STRING,
            "version": {"type": "integer"},
            "organisation": STRING,
            "organisation_name": STRING,
            "category": STRING,
            "availability": {"type": "string", "enum": ["online", "soon", "in_work"]},
            "sla_days": {"type": ["integer", "null"]},
        },
        ["id", "title", "version", "organisation", "category", "availability"],
    ),
    "Attachment": obj({"id": STRING, "filename": STRING, "content_type": STRING, "size": {"type": "integer"}}, ["id"]),
    "Option": obj({"value": STRING, "label": STRING}, ["value", "label"]),
    "Field": obj(
        {
            "name": STRING,
            "type": {
                "type": "string",
                "enum": [t.value for t in FieldType],
            },
            "label": STRING,
            "required": {"type": "boolean"},
            "options": {"type": ["array", "null"], "items": ref("Option")},
            "input": {
                "type": "boolean",
                "description": "false for fields nobody answers (static text, read-only copies, hidden values): "
                "leave them out of the data",
            },
            "hint": NULLABLE_STRING,
            "value": {"description": "display fields only: the earlier answer shown"},
        },
        ["name", "type", "label", "required", "options", "input"],
    ),
    "Task": obj(
        {
            "id": STRING,
            "name": {"type": "string", "description": "BPMN element id of the user task"},
            "title": STRING,
            "reference": STRING,
            "service": STRING,
            "status": STRING,
            "assignee": NULLABLE_STRING,
            "created": DATETIME,
            "due": DATETIME,
            "fields": {"type": "array", "items": ref("Field"), "description": "the form in display order"},
            "schema": {
                "type": "object",
                "description": "JSON Schema 2020-12 of exactly the data POST /tasks/{task_id}/complete accepts: "
                "types, required fields, options (anyOf of const with a title), patterns, limits, formats (date, "
                "email; file fields take the uuid of an upload from POST /attachments). Text is sent trimmed with "
                "\\n line breaks, dates as YYYY-MM-DD, numbers and booleans as JSON values. Fields that are not "
                "inputs are readOnly and must be left out; `default` is what the form starts with. Titles are in "
                "the caller's language.",
            },
        },
        ["id", "name", "title", "fields", "schema"],
    ),
    "QueueItem": obj(
        {
            "id": STRING,
            "reference": STRING,
            "service": STRING,
            "service_title": STRING,
            "name": STRING,
            "title": STRING,
            "assignee": NULLABLE_STRING,
            "created": DATETIME,
            "due": DATETIME,
            "overdue": {"type": "boolean"},
        },
        ["id", "reference", "service", "name", "title", "assignee", "due"],
    ),
    "HistoryItem": obj(
        {"at": DATETIME, "event": STRING, "step": NULLABLE_STRING, "title": STRING, "by": STRING},
        ["at", "event", "step", "title"],
    ),
    "Application": obj(
        {
            "reference": STRING,
            "service": STRING,
            "service_title": STRING,
            "status": {"type": "string", "enum": ["active", "completed", "cancelled", "error"]},
            "outcome": {"type": ["string", "null"], "description": "id of the end event reached; null while active"},
            "outcome_title": NULLABLE_STRING,
            "created_at": DATETIME,
            "submitted_at": DATETIME,
            "closed_at": DATETIME,
            "error": {
                "type": ["object", "null"],
                "properties": {"step": NULLABLE_STRING, "message": NULLABLE_STRING},
                "description": "status error only: where the case stopped and why",
            },
            "tasks": {"type": "array", "items": ref("Task"), "description": "open tasks the caller may act on"},
            "history": {
                "type": "array",
                "items": ref("HistoryItem"),
                "description": "GET only: one page of the timeline (page 1 = the newest events, oldest first); "
                "writes answer without it",
            },
            "history_page": ref("HistoryPage"),
        },
        ["reference", "service", "status", "outcome", "tasks"],
    ),
    "HistoryPage": obj(
        {"page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}},
        ["page", "pages", "total"],
    ),
    "History": obj(
        {
            "history": {"type": "array", "items": ref("HistoryItem")},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer"},
        },
        ["history", "page", "pages", "total"],
    ),
    "StartRequest": obj({"service": STRING}, ["service"]),
    "MessagePayload": {
        "type": "object",
        "description": "Any JSON object; the process receives it as the variable named like the message",
    },
    "MessageReceipt": obj(
        {
            "reference": STRING,
            "message": STRING,
            "status": {"type": "string", "enum": ["active", "completed", "cancelled", "error"]},
            "outcome": NULLABLE_STRING,
        },
        ["reference", "message", "status"],
    ),
    "MessageRefused": obj(
        {"error": STRING, "waiting": {"type": "array", "items": STRING, "description": "messages awaited now"}},
        ["error"],
    ),
    "CompleteRequest": obj(
        {"data": {"type": "object", "description": "field name → value, valid against the task's `schema`"}},
        ["data"],
    ),
}


def _paths() -> dict[str, Any]:
    application = reply("The application", ref("Application"))
    task = reply("The task", ref("Task"))
    return {
        "/auth/token": {
            "post": operation(
                "Exchange a username and password for a bearer token",
                {"200": reply("A token", ref("Token"))},
                errors=("400", "401", "429"),
                body=json_content(ref("TokenRequest")),
                public=True,
                tag="auth",
            )
        },
        "/services": {
            "get": operation(
                "The service catalog, a page at a time (online services first, then by title)",
                {
                    "200": {
                        **reply(
                            "One page of services; a page past the last is an empty array",
                            {"type": "array", "items": ref("Service")},
                        ),
                        "headers": {
                            "X-Total-Count": {
                                "description": "How many services match the filters, on every page",
                                "schema": {"type": "integer"},
                            },
                            "Link": {
                                "description": 'RFC 8288 links to the first, prev, next and last page (rel="next" …)',
                                "schema": STRING,
                            },
                        },
                    },
                    "400": reply(
                        "page or per_page is not a whole number in range, or availability is unknown", ref("Error")
                    ),
                },
                parameters=[
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {
                        "name": "per_page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "schema": STRING,
                        "description": "Words that must all occur in the title (uk or en) or the category; "
                        "case, apostrophes and Latin look-alike letters do not matter",
                    },
                    {"name": "category", "in": "query", "schema": STRING, "description": "Only this category"},
                    {"name": "organisation", "in": "query", "schema": STRING, "description": "Organisation slug"},
                    {
                        "name": "availability",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["online", "soon", "in_work"]},
                    },
                ],
                public=True,
                tag="catalog",
            )
        },
        "/attachments": {
            "post": operation(
                "Upload a file; use its id as the value of a file field",
                {"201": reply("Stored", ref("Attachment"))},
                errors=("400",),
                body={
                    "multipart/form-data": {
                        "schema": obj(
                            {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}, ["file"]
                        )
                    }
                },
            )
        },
        "/applications": {
            "get": operation(
                "My applications (without history)",
                {"200": reply("Applications", {"type": "array", "items": ref("Application")})},
            ),
            "post": operation(
                "Start an application; its start form is the first task",
                {"201": application},
                errors=("400", "404", "409", "422"),
                body=json_content(ref("StartRequest")),
            ),
        },
        "/applications/{reference}": {
            "get": operation(
                "An application of mine, or of my organisation (officials)",
                {"200": application},
                errors=("404",),
                parameters=[path_param("reference", "Reference number")],
            )
        },
        "/applications/{reference}/history": {
            "get": operation(
                "A page of the application's timeline (page 1 = the newest events)",
                {"200": reply("One page of the history", ref("History"))},
                errors=("400", "404"),
                parameters=[
                    path_param("reference", "Reference number"),
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                ],
            )
        },
        "/applications/{reference}/messages/{name}": {
            "post": {
                **operation(
                    "Integrations: deliver a BPMN message (e.g. a payment confirmation) to a waiting application",
                    {
                        "200": reply("Delivered; the application ran on", ref("MessageReceipt")),
                        "409": reply(
                            "The application is not waiting for this message, or is closed", ref("MessageRefused")
                        ),
                    },
                    errors=("400", "403", "404"),
                    body=json_content(ref("MessagePayload")),
                    parameters=[path_param("reference", "Reference number"), path_param("name", "Message name")],
                    tag="integrations",
                ),
                "security": [{"integration": []}],
            }
        },
        "/tasks": {
            "get": operation(
                "Officials: the open tasks of my groups (queue) or the tasks I hold (mine)",
                {"200": reply("Tasks", {"type": "array", "items": ref("QueueItem")})},
                errors=("400", "403"),
                parameters=[
                    {"name": "scope", "in": "query", "schema": {"type": "string", "enum": ["queue", "mine"]}},
                    {"name": "service", "in": "query", "schema": STRING, "description": "Only this service"},
                ],
                tag="tasks",
            )
        },
        "/tasks/{task_id}": {
            "get": operation("A task with its form", {"200": task}, errors=("404",), parameters=TASK_ID, tag="tasks")
        },
        "/tasks/{task_id}/complete": {
            "post": operation(
                "Complete a task with the answers to its form",
                {"200": application},
                errors=("400", "403", "404", "409", "422"),
                body=json_content(ref("CompleteRequest")),
                parameters=TASK_ID,
                tag="tasks",
            )
        },
        "/tasks/{task_id}/claim": {
            "post": operation(
                "Take a task from the queue", {"200": task}, errors=("404", "409"), parameters=TASK_ID, tag="tasks"
            )
        },
        "/tasks/{task_id}/release": {
            "post": operation(
                "Give a task back to the queue", {"200": task}, errors=("404", "409"), parameters=TASK_ID, tag="tasks"
            )
        },
        "/openapi.json": {
            "get": operation(
                "This document",
                {"200": reply("OpenAPI 3.1 document", {"type": "object"})},
                public=True,
                tag="meta",
                localised=False,
            )
        },
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Posluhy API",
            "version": "1.0.0",
            "description": 'Apply for public services and work official queues. Errors are JSON {"error": message}.',
        },
        "servers": [{"url": request.script_root + "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "integration": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An integration's token from `posluhy create-integration`",
                },
            },
        },
    }
