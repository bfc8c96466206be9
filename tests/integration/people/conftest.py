"""People and groups pages with CSRF on: administrators and officials who sign in through the login form, the
invitation mail delivered through a real SMTP server (aiosmtpd), and helpers to read the audit trail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform
from webapp import create_app

from ..conftest import Mailbox as Mailbox

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    assert app.config.get("WTF_CSRF_ENABLED", True)
    yield app


class Browser:
    """A person using the HTML pages in English; every POST carries the CSRF token of the page it came from."""

    def __init__(self, app: Flask, username: str | None, password: str = "demo") -> None:
        self.client: FlaskClient = app.test_client()
        self.client.get("/login?lang=en")
        if username is not None:
            reply = self.post("/login", {"username": username, "password": password}, token_from="/login")
            assert reply.status_code == 302, reply.get_data(as_text=True)

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def page(self, path: str) -> str:
        reply = self.client.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        return reply.get_data(as_text=True)

    def token(self, path: str) -> str:
        found = CSRF_RE.search(self.client.get(path).get_data(as_text=True))
        assert found, path
        return found.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, *, token_from: str = "/admin/") -> Any:
        return self.client.post(path, data={"csrf_token": self.token(token_from), **(data or {})})


@pytest.fixture
def browser(app: Flask) -> Callable[..., Browser]:
    return lambda username, password="demo": Browser(app, username, password)


@pytest.fixture
def audit_rows(platform: Platform) -> Callable[[str], list[dict[str, Any]]]:
    """The audit events of one action, oldest first, as dicts (details parsed)."""

    def read(action: str) -> list[dict[str, Any]]:
        with unit_of_work(platform.read_sessions) as db:
            rows = db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
            return [
                {
                    "actor": r.actor,
                    "actor_id": r.actor_id,
                    "application_id": r.application_id,
                    "task_id": r.task_id,
                    "details": json.loads(r.details_json),
                }
                for r in rows
            ]

    return read


def version_in(html: str) -> str:
    found = VERSION_RE.search(html)
    assert found, "no version field"
    return found.group(1)
