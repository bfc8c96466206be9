"""Every API answer a test sees, checked against the OpenAPI document: its status is listed for that operation,
its JSON body fits the documented schema and the documented headers are there.

Answers are collected from Flask's ``request_finished`` signal, so any test that calls /api/v1 is checked without
changing its fixtures (tests/integration/conftest.py turns this on for every integration test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from flask import Flask, Response, request

from webapp.api.openapi import openapi_document


def openapi_path(rule: str) -> str:
    """/api/v1/tasks/<task_id> → /tasks/{task_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix("/api/v1"))


@dataclass(frozen=True)
class Answer:
    path: str
    method: str
    status: int
    body: Any
    headers: frozenset[str]


@dataclass
class ApiContract:
    """Collects API answers while connected; `problems()` says which ones the document does not describe."""

    answers: list[tuple[Flask, Answer]] = field(default_factory=list)

    def record(self, sender: Flask, response: Response, **_extra: Any) -> None:
        rule = request.url_rule
        if request.blueprint != "api" or rule is None:
            return  # pages, and paths or methods no route serves (404, 405)
        body = response.get_json(silent=True) if response.is_json and not response.is_streamed else None
        answer = Answer(
            openapi_path(rule.rule),
            request.method.lower(),
            response.status_code,
            body,
            frozenset(h.lower() for h, _value in response.headers.items()),
        )
        self.answers.append((sender, answer))

    def problems(self) -> list[str]:
        found: list[str] = []
        documents: dict[int, dict[str, Any]] = {}
        for app, answer in self.answers:
            if id(app) not in documents:
                with app.test_request_context("/api/v1/openapi.json"):
                    documents[id(app)] = openapi_document()
            found += problems_of(documents[id(app)], answer)
        return found


def problems_of(document: dict[str, Any], answer: Answer) -> list[str]:
    where = f"{answer.method.upper()} {answer.path} → {answer.status}"
    operation = document["paths"].get(answer.path, {}).get(answer.method)
    if operation is None:
        return [f"{where}: the operation is not documented"]
    documented = operation["responses"].get(str(answer.status))
    if documented is None:
        return [f"{where}: status not listed (documented: {', '.join(operation['responses'])})"]
    problems = [
        f"{where}: header {name} missing"
        for name in documented.get("headers", {})
        if name.lower() not in answer.headers
    ]
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None:
        validator = jsonschema.Draft202012Validator({**schema, "components": document["components"]})
        problems += [f"{where}: {error.json_path}: {error.message}" for error in validator.iter_errors(answer.body)]
    return problems
