"""The app with CSRF on and the platform's clock standing still, and a browser-like visitor who signs in, enrols and
answers the second-factor challenge through the pages (codes computed with pyotp at the platform's time)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.clock import FakeClock
from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform
from webapp import create_app

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET_RE = re.compile(r'data-secret="([A-Z2-7]+)"')
CODE_RE = re.compile(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>")


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    platform.clock = FakeClock(datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC))
    return platform.clock


@pytest.fixture
def app(settings: Settings, platform: Platform, clock: FakeClock) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    yield app


def require_for(platform: Platform, *roles: str) -> None:
    """As POSLUHY_SECOND_FACTOR_ROLES would (the pages read the platform's settings on every request)."""
    platform.settings = dataclasses.replace(platform.settings, second_factor_roles=roles)


def token(client: FlaskClient, path: str = "/login") -> str:
    found = TOKEN_RE.search(client.get(path).get_data(as_text=True))
    assert found is not None, path
    return found.group(1)


def token_in(page: str) -> str:
    found = TOKEN_RE.search(page)
    assert found is not None
    return found.group(1)


def sign_in(client: FlaskClient, username: str, *, target: str = "") -> TestResponse:
    return client.post(
        "/login?lang=en",
        data={"username": username, "password": "demo", "next": target, "csrf_token": token(client)},
    )


def code_now(secret: str, clock: FakeClock, *, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=30 * steps))


class Visitor:
    """One browser (its own cookies) on the app."""

    def __init__(self, app: Flask, clock: FakeClock) -> None:
        self.client = app.test_client()
        self.clock = clock

    def sign_in(self, username: str, *, target: str = "") -> TestResponse:
        return sign_in(self.client, username, target=target)

    def sign_out(self) -> None:
        self.client.post("/logout", data={"csrf_token": token(self.client, "/?lang=en")})

    def enrol_page(self) -> tuple[str, str]:
        page = self.client.get("/account/second-factor/enrol?lang=en")
        assert page.status_code == 200, page.status_code
        text = page.get_data(as_text=True)
        found = SECRET_RE.search(text)
        assert found is not None
        return found.group(1), text

    def confirm(self, code: str, page: str) -> TestResponse:
        return self.client.post(
            "/account/second-factor/enrol?lang=en", data={"code": code, "csrf_token": token_in(page)}
        )

    def enrol(self) -> tuple[str, list[str]]:
        """Set up the second factor (signed in, or held after the password); the secret and the recovery codes."""
        secret, page = self.enrol_page()
        reply = self.confirm(code_now(secret, self.clock), page)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        codes = CODE_RE.findall(reply.get_data(as_text=True))
        assert len(codes) == 10
        return secret, codes

    def answer(self, code: str, *, recovery: bool = False) -> TestResponse:
        path = "/login/second-factor?lang=en" + ("&recovery=1" if recovery else "")
        page = self.client.get(path).get_data(as_text=True)
        data = {"code": code, "csrf_token": token_in(page), **({"recovery": "1"} if recovery else {})}
        return self.client.post(path, data=data)


@pytest.fixture
def visitor(app: Flask, clock: FakeClock) -> Visitor:
    return Visitor(app, clock)


@pytest.fixture
def another(app: Flask, clock: FakeClock) -> Visitor:
    return Visitor(app, clock)


def audit_rows(platform: Platform, *prefixes: str) -> list[tuple[str, str, dict[str, Any]]]:
    with unit_of_work(platform.read_sessions) as db:
        return [
            (e.action, e.actor, json.loads(e.details_json))
            for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.action.startswith(prefixes)
        ]
