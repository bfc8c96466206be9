"""The per-account lock counts by the name typed, so a name no account has is locked exactly like a real one: the
answers (status, page, API body and Retry-After) never tell whether an account exists."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform

from .conftest import AppOf, client_at, sign_in

TOKEN_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+"')


@pytest.fixture
def app(app_of: AppOf, platform: Platform) -> Flask:
    platform.clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    return app_of()


def _attempts(app: Flask, username: str, address: str) -> list[tuple[int, str]]:
    """Five wrong passwords, then the demo password (the right one for a demo account): status and page of each."""
    client = client_at(app, address)
    answers = [sign_in(client, username, "wrong") for _ in range(5)] + [sign_in(client, username, "demo")]
    return [(status, TOKEN_VALUE.sub(r'\1…"', page).replace(username, "NAME")) for status, page in answers]


def test_an_unknown_name_is_locked_like_a_real_account_on_the_sign_in_page(app: Flask, platform: Platform) -> None:
    known = _attempts(app, "citizen", "203.0.113.100")
    unknown = _attempts(app, "nobody-by-this-name", "203.0.113.101")
    assert [status for status, _page in known] == [400] * 5 + [429]
    assert "Too many failed attempts. Try again in 15 minutes." in known[-1][1]
    assert unknown == known  # the same statuses and, but for the name typed, the same pages

    with unit_of_work(platform.read_sessions) as db:
        locked = db.scalars(select(AuditEvent.actor).where(AuditEvent.action == "auth.locked")).all()
    assert sorted(locked) == ["citizen", "nobody-by-this-name"]


def test_an_unknown_name_is_locked_like_a_real_account_for_api_tokens(app: Flask) -> None:
    def attempts(username: str, address: str) -> list[tuple[int, str, str | None]]:
        client = client_at(app, address)
        found = []
        for password in ["wrong"] * 5 + ["demo"]:
            reply = client.post("/api/v1/auth/token?lang=en", json={"username": username, "password": password})
            found.append((reply.status_code, json.dumps(reply.get_json()), reply.headers.get("Retry-After")))
        return found

    known = attempts("citizen", "203.0.113.102")
    assert [status for status, _body, _retry in known] == [401] * 5 + [429]
    assert known[-1][2] == "900"
    assert attempts("nobody-by-this-name", "203.0.113.103") == known
