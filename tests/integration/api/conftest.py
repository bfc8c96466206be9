"""An app on the demo platform and a small JSON client that signs in with bearer tokens (no cookies)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import PROJECT_ROOT, Settings
from engine.services.context import Platform
from webapp import create_app

SCENARIOS = PROJECT_ROOT / "processes" / "outdoor_advertising_permit" / "scenarios"


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    yield app


class Api:
    """One API user: a token from POST /auth/token and helpers that send it."""

    def __init__(self, client: FlaskClient, username: str) -> None:
        self.client = client
        self.username = username
        reply = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
        assert reply.status_code == 200, reply.get_json()
        self.token = reply.get_json()["token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept-Language": "en"}  # English messages to assert on

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(f"/api/v1{path}", headers={**self.headers, **(headers or {})})

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=body, **kwargs)

    def upload(self, name: str, content: bytes = b"%PDF-1.4 test file\n") -> str:
        reply = self.client.post(
            "/api/v1/attachments",
            headers=self.headers,
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert reply.status_code == 201, reply.get_json()
        return str(reply.get_json()["id"])

    def with_files(self, data: dict[str, Any]) -> dict[str, Any]:
        """Scenario data with each "@file:NAME" placeholder replaced by a freshly uploaded file's id."""
        return {
            key: self.upload(value.removeprefix("@file:"))
            if isinstance(value, str) and value.startswith("@file:")
            else value
            for key, value in data.items()
        }

    def complete(self, task_id: str, data: dict[str, Any]) -> Any:
        return self.post(f"/tasks/{task_id}/complete", {"data": data})

    def submit(self, steps: list[dict[str, Any]]) -> dict[str, Any]:
        """Start the outdoor advertising permit and send its start form; returns the application."""
        started = self.post("/applications", {"service": "outdoor_advertising_permit"})
        assert started.status_code == 201, started.get_json()
        start_task = only_task(started.get_json(), steps[0]["task"])
        reply = self.complete(start_task["id"], self.with_files(steps[0]["data"]))
        assert reply.status_code == 200, reply.get_json()
        body: dict[str, Any] = reply.get_json()
        return body

    def queue_task(self, reference: str, name: str) -> dict[str, Any]:
        """The task of this application waiting in this official's queue."""
        reply = self.get("/tasks?scope=queue")
        assert reply.status_code == 200, reply.get_json()
        found = [t for t in reply.get_json() if t["reference"] == reference and t["name"] == name]
        assert len(found) == 1, reply.get_json()
        return found[0]


def only_task(application: dict[str, Any], name: str) -> dict[str, Any]:
    """The caller's single open task of the given BPMN id."""
    found = [t for t in application["tasks"] if t["name"] == name]
    assert len(found) == 1, application["tasks"]
    return found[0]


@pytest.fixture
def api(app: Flask) -> Any:
    """api("citizen") → a signed-in API user; each user gets its own cookie-less client."""

    def make(username: str) -> Api:
        return Api(app.test_client(use_cookies=False), username)

    return make


@pytest.fixture
def steps() -> list[dict[str, Any]]:
    """The corrections-loop scenario of the outdoor advertising permit (CNAP returns once, then all approve)."""
    found: list[dict[str, Any]] = json.loads((SCENARIOS / "issued_after_corrections.json").read_text("utf-8"))["steps"]
    return found


@pytest.fixture
def task_named() -> Any:
    return only_task
