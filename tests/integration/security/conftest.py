"""An app with CSRF on, clients signed in through the login form, and citizen2's objects for others to probe."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from engine.db import unit_of_work
from engine.services.cases.applications import start_application
from engine.services.cases.attachments import store_upload
from engine.services.context import Actor, Platform
from webapp import create_app

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVICE = "outdoor_advertising_permit"


def csrf_token(client: FlaskClient) -> str:
    """The token of the client's session, as the sign-in form carries it."""
    found = TOKEN_RE.search(client.get("/login").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def sign_in(client: FlaskClient, username: str) -> FlaskClient:
    reply = client.post("/login", data={"username": username, "password": "demo", "csrf_token": csrf_token(client)})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return client


def bearer(client: FlaskClient, username: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


@dataclass(frozen=True)
class Others:
    """Objects of citizen2 that nobody else (but officials of the office) may see."""

    reference: str
    task_id: str
    attachment_id: str


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    yield app


@pytest.fixture
def others(platform: Platform, settings: Settings, actor_of: Callable[[str], Actor]) -> Others:
    owner = actor_of("citizen2")
    with unit_of_work(platform.write_sessions) as db:
        view = start_application(db, platform, owner, SERVICE)
        task = next(t for t in view.tasks if t.for_applicant and t.status == "open")
        stored = store_upload(
            db,
            owner,
            upload_dir=settings.upload_dir,
            limit=settings.max_upload_bytes,
            filename="passport.pdf",
            content_type="application/pdf",
            stream=io.BytesIO(b"%PDF-1.4 private\n"),
        )
    return Others(reference=view.reference, task_id=task.id, attachment_id=stored.id)


@pytest.fixture
def client_as(app: Flask) -> Callable[[str | None], FlaskClient]:
    """A browser: anonymous (None) or signed in through the login form as that demo user."""

    def make(username: str | None) -> FlaskClient:
        client = app.test_client()
        return sign_in(client, username) if username else client

    return make


@pytest.fixture
def token_of(app: Flask) -> Callable[[str], dict[str, str]]:
    """The Authorization header of a fresh API token for that demo user."""
    return lambda username: bearer(app.test_client(), username)


@pytest.fixture
def token_in_page() -> Callable[[FlaskClient], str]:
    return csrf_token
