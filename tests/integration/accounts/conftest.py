"""Local accounts under test: the app with CSRF on, a real SMTP server (aiosmtpd) the outbox is delivered to, the
platform's fake clock (links expire by it), and helpers that read links out of the mails."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.clock import FakeClock
from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent, User
from engine.services.background.runner import run_due_jobs
from engine.services.context import Platform
from webapp import create_app

from ..conftest import Mailbox as Mailbox

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK_RE = re.compile(r"http://[^\s]+/(account/verify|password/reset|invitation)/([^\s]+)")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STRONG = "amber kettle violin harbour"
STRONGER = "quiet lantern orbit meadow"


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    fake = FakeClock(START)
    platform.clock = fake
    return fake


@pytest.fixture
def app(settings: Settings, platform: Platform, clock: FakeClock) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    yield app


def csrf(client: FlaskClient) -> str:
    """The session's CSRF token, from the sign-in form (or, once signed in, the header's sign-out form)."""
    page = client.get("/login")
    if page.status_code == 302:
        page = client.get("/")
    found = TOKEN_RE.search(page.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def post(client: FlaskClient, path: str, data: dict[str, str]) -> TestResponse:
    """A form POST as the browser sends it (with the session's CSRF token), pages in English."""
    sep = "&" if "?" in path else "?"
    return client.post(f"{path}{sep}lang=en", data={**data, "csrf_token": csrf(client)})


def text(reply: TestResponse) -> str:
    return reply.get_data(as_text=True)


def deliver(platform: Platform) -> None:
    """Run the worker's due jobs: queued mails go to the SMTP server."""
    run_due_jobs(platform, worker_id="test-worker", limit=100)


def body(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def link_in(message: Message) -> str:
    """The path of the (one) account link in a mail, e.g. /account/verify/<token>."""
    found = LINK_RE.search(body(message))
    assert found is not None, body(message)
    return f"/{found.group(1)}/{found.group(2)}"


def register(client: FlaskClient, email: str, *, name: str = "Олена Петренко", password: str = STRONG) -> TestResponse:
    return post(client, "/register", {"full_name": name, "email": email, "password": password, "confirm": password})


def sign_in(client: FlaskClient, username: str, password: str) -> TestResponse:
    return post(client, "/login", {"username": username, "password": password})


def audit_rows(platform: Platform, action: str) -> list[dict[str, Any]]:
    with unit_of_work(platform.read_sessions) as db:
        rows = db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
        return [{"actor_id": r.actor_id, "actor": r.actor, "details": json.loads(r.details_json or "{}")} for r in rows]


def account(platform: Platform, username: str) -> User | None:
    with unit_of_work(platform.read_sessions) as db:
        user = db.scalar(select(User).where(User.username == username))
        if user is not None:
            db.expunge(user)
        return user
