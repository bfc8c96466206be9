"""Officials' pages with CSRF on: browser-like clients that sign in through the login form, and an API helper
to set up citizens' applications quickly."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import PROJECT_ROOT, Settings
from engine.services.context import Platform
from webapp import create_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    assert app.config.get("WTF_CSRF_ENABLED", True)  # these tests prove CSRF is enforced on every POST
    yield app


class Browser:
    """A signed-in person using the HTML pages; every POST carries the CSRF token taken from a page."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.username = username
        self.client.get("/login?lang=en")  # English pages: the assertions read the English UI text
        reply = self.post("/login", {"username": username, "password": "demo"}, token_from="/login")
        assert reply.status_code == 302, reply.get_data(as_text=True)

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def page(self, path: str) -> str:
        reply = self.client.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        return reply.get_data(as_text=True)

    def token(self, path: str = "/staff/my") -> str:
        found = CSRF_RE.search(self.client.get(path).get_data(as_text=True))
        assert found, path
        return found.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, *, token_from: str = "/staff/my") -> Any:
        return self.client.post(path, data={"csrf_token": self.token(token_from), **(data or {})})


@pytest.fixture
def browser(app: Flask) -> Any:
    return lambda username: Browser(app, username)


class Citizen:
    """The applicant, through the JSON API (fast set-up; the citizen pages are tested elsewhere)."""

    def __init__(self, app: Flask, username: str = "citizen") -> None:
        self.client = app.test_client(use_cookies=False)
        reply = self.client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
        self.headers = {"Authorization": f"Bearer {reply.get_json()['token']}", "Accept-Language": "en"}

    def upload(self, name: str) -> str:
        data = {"file": (io.BytesIO(b"%PDF-1.4 " + name.encode()), name)}
        reply = self.client.post("/api/v1/attachments", headers=self.headers, data=data)
        assert reply.status_code == 201
        return str(reply.get_json()["id"])

    def application(self, reference: str) -> dict[str, Any]:
        reply = self.client.get(f"/api/v1/applications/{reference}", headers=self.headers)
        assert reply.status_code == 200
        body: dict[str, Any] = reply.get_json()
        return body

    def complete(self, task_id: str, data: dict[str, Any]) -> dict[str, Any]:
        files = {k: self.upload(v[6:]) for k, v in data.items() if isinstance(v, str) and v.startswith("@file:")}
        reply = self.client.post(
            f"/api/v1/tasks/{task_id}/complete", headers=self.headers, json={"data": {**data, **files}}
        )
        assert reply.status_code == 200, reply.get_json()
        body: dict[str, Any] = reply.get_json()
        return body

    def apply(self, service: str, scenario: str) -> tuple[str, list[dict[str, Any]]]:
        """Submit the start form of a scenario; returns the reference and the scenario's steps."""
        path = PROJECT_ROOT / "processes" / service / "scenarios" / f"{scenario}.json"
        steps: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["steps"]
        started = self.client.post("/api/v1/applications", headers=self.headers, json={"service": service})
        assert started.status_code == 201
        body = started.get_json()
        self.complete(body["tasks"][0]["id"], steps[0]["data"])
        return body["reference"], steps


@pytest.fixture
def citizen(app: Flask) -> Citizen:
    return Citizen(app)


@pytest.fixture
def task_link() -> Any:
    """The staff task page address of an application's row in a queue page."""

    def find(html: str, reference: str) -> str:
        found = re.search(r'href="(/staff/tasks/[^"]+)">' + re.escape(reference) + "<", html)
        assert found, reference
        return found.group(1)

    return find


@pytest.fixture
def row_of() -> Any:
    """The table row (HTML) of an application in a queue page."""

    def find(html: str, reference: str) -> str:
        rows = [row for row in html.split("<tr>")[1:] if reference in row]
        assert len(rows) == 1, reference
        return rows[0].split("</tr>")[0]

    return find
