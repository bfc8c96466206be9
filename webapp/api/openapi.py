"""The OpenAPI 3.1 description of /api/v1, written by hand next to the routes it describes."""

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


ERRORS: dict[str, dict[str, Any]] = {
    "400": reply("Malformed request body", ref("Error")),
    "401": reply("Missing, malformed or expired bearer token", ref("Error")),
    "403": reply("The account's role may not do this", ref("Error")),
    "404": reply("Not found, or not visible to the caller", ref("Error")),
    "409": reply("The task is no longer open, or another official holds it", ref("Error")),
    "413": reply("The file is larger than the upload limit", ref("Error")),
    "422": reply("Invalid data; messages by field name", ref("ValidationError")),
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
) -> dict[str, Any]:
    found: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": dict(responses)}
    for code in (*errors, *(() if public else ("401",))):
        found["responses"][code] = ERRORS[code]
    if body is not None:
        found["requestBody"] = {"required": True, "content": body}
    if parameters:
        found["parameters"] = parameters
    if public:
        found["security"] = []
    return found


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": STRING}


TASK_ID = [path_param("task_id", "Task id, from an application's tasks or a task list")]
LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of labels and titles (else Accept-Language; default uk)",
    "schema": {"type": "string", "enum": ["uk", "en"]},
}

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
            "input": {"type": "boolean", "description": "false for read-only display fields"},
            "hint": NULLABLE_STRING,
            "value": {"description": "display fields only: the earlier answer shown"},
        },
        ["name", "type", "label", "required", "options"],
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
            "fields": {"type": "array", "items": ref("Field")},
        },
        ["id", "name", "title", "fields"],
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
            "error": {"type": ["object", "null"]},
            "tasks": {"type": "array", "items": ref("Task"), "description": "open tasks the caller may act on"},
            "history": {"type": "array", "items": ref("HistoryItem")},
        },
        ["reference", "service", "status", "outcome", "tasks", "history"],
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
    "CompleteRequest": obj({"data": {"type": "object", "description": "field name → value"}}, ["data"]),
}


def _paths() -> dict[str, Any]:
    application = reply("The application", ref("Application"))
    task = reply("The task", ref("Task"))
    return {
        "/auth/token": {
            "post": operation(
                "Exchange a username and password for a bearer token",
                {"200": reply("A token", ref("Token"))},
                errors=("400", "401"),
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
                    LANG,
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
                errors=("400", "413"),
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
                errors=("400", "403", "404", "409", "422"),
                body=json_content(ref("StartRequest")),
            ),
        },
        "/applications/{reference}": {
            "get": operation(
                "An application of mine, or of my organisation (officials)",
                {"200": application},
                errors=("404",),
                parameters=[path_param("reference", "Reference number"), LANG],
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
                "This document", {"200": reply("OpenAPI 3.1 document", {"type": "object"})}, public=True, tag="meta"
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
