"""The OpenAPI document's component schemas: the JSON shapes of webapp/api/serialize.py."""

from __future__ import annotations

from typing import Any

from engine.forms import FieldType
from webapp.api.openapi_parts import DATETIME, NULLABLE_STRING, STRING, obj, ref

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": STRING}, ["error"]),
    "ValidationError": obj(
        {"error": STRING, "errors": {"type": "object", "additionalProperties": STRING}}, ["error", "errors"]
    ),
    "TokenRequest": obj(
        {
            "username": STRING,
            "password": STRING,
            "totp": {**STRING, "description": "The code of the account's authenticator app, if it has a second factor"},
            "recovery_code": {**STRING, "description": "Instead of totp: one of the account's unused recovery codes"},
        },
        ["username", "password"],
    ),
    "TokenRefusal": obj(
        {
            "error": STRING,
            "code": {
                "type": "string",
                "enum": ["second_factor_required", "second_factor_invalid", "second_factor_enrolment_required"],
                "description": "Why a right password was not enough (absent when the username or password is wrong)",
            },
        },
        ["error"],
    ),
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
            "status": {"type": "string", "enum": ["active", "completed", "cancelled", "error", "suspended"]},
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
            "status": {"type": "string", "enum": ["active", "completed", "cancelled", "error", "suspended"]},
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
