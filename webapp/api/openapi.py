"""The OpenAPI 3.1 description of /api/v1, written by hand next to the routes it describes.

Every operation lists every status it can answer with (tests/integration/api/contract.py checks each answer the
API tests see against this document); errors are JSON `{"error": message}`, 422 adds messages by field.
"""

from __future__ import annotations

from typing import Any

from flask import request

from webapp.api.openapi_parts import (
    STRING,
    TASK_ID,
    json_content,
    obj,
    operation,
    path_param,
    ref,
    reply,
    with_header,
)
from webapp.api.openapi_schemas import SCHEMAS
from webapp.api.openapi_statistics import STATISTICS_PATHS, STATISTICS_SCHEMAS


def _paths() -> dict[str, Any]:
    application = reply("The application", ref("Application"))
    task = reply("The task", ref("Task"))
    return {
        "/auth/token": {
            "post": operation(
                "Exchange a username and password (and a second-factor code, if the account has one) for a token",
                {
                    "200": reply("A token", ref("Token")),
                    "401": with_header(
                        reply(
                            "Wrong username or password, or the second factor is missing, wrong or not set up (code)",
                            ref("TokenRefusal"),
                        ),
                        "WWW-Authenticate",
                        "Bearer challenge",
                        STRING,
                    ),
                },
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
        "paths": {**_paths(), **STATISTICS_PATHS},
        "components": {
            "schemas": {**SCHEMAS, **STATISTICS_SCHEMAS},
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
