"""Guessing passwords: after five wrong ones within 15 minutes an account refuses every password for 15 minutes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform

from .conftest import csrf_token

LOCKED = "Too many failed attempts"


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    platform.clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    return platform.clock


def sign_in(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    reply = client.post(
        "/login?lang=en", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )
    return reply.status_code, reply.get_data(as_text=True)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(app: Flask, clock: FakeClock) -> None:
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "citizen", "wrong")[0] == 400

    status, page = sign_in(client, "citizen", "demo")  # even the right password is refused while locked
    assert status == 429
    assert LOCKED in page and "15 minutes" in page
    assert sign_in(app.test_client(), "citizen2", "demo")[0] == 302  # other accounts are not affected

    clock.advance(timedelta(minutes=16))
    assert sign_in(client, "citizen", "demo")[0] == 302
    assert sign_in(app.test_client(), "citizen", "wrong")[0] == 400  # a success starts the count again


def test_wrong_passwords_spread_over_time_do_not_lock(app: Flask, clock: FakeClock) -> None:
    client = app.test_client()
    for _ in range(4):
        assert sign_in(client, "citizen", "wrong")[0] == 400
    clock.advance(timedelta(minutes=16))
    for _ in range(4):
        assert sign_in(client, "citizen", "wrong")[0] == 400
    assert sign_in(client, "citizen", "demo")[0] == 302


def test_the_api_token_endpoint_counts_the_same_attempts(app: Flask, clock: FakeClock) -> None:
    client = app.test_client()
    for _ in range(3):
        assert client.post("/api/v1/auth/token", json={"username": "Citizen ", "password": "x"}).status_code == 401
    for _ in range(2):
        assert sign_in(app.test_client(), "citizen", "wrong")[0] == 400

    reply = client.post("/api/v1/auth/token?lang=en", json={"username": "citizen", "password": "demo"})
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "900"
    assert LOCKED in reply.get_json()["error"]


def test_the_lock_message_is_ukrainian_by_default_with_the_right_plural(app: Flask, clock: FakeClock) -> None:
    client = app.test_client()
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"username": "citizen", "password": "x"})
    reply = client.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"})
    assert reply.get_json()["error"] == "Забагато невдалих спроб. Спробуйте знову через 15 хвилин."
    clock.advance(timedelta(minutes=13, seconds=30))
    reply = client.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"})
    assert reply.get_json()["error"] == "Забагато невдалих спроб. Спробуйте знову через 2 хвилини."


def test_every_password_sign_in_and_every_refusal_is_audited(app: Flask, platform: Platform, clock: FakeClock) -> None:
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "citizen", "wrong")
    sign_in(client, "citizen", "demo")  # refused: locked
    sign_in(app.test_client(), "nobody-here", "guess")
    assert sign_in(app.test_client(), "citizen2", "demo")[0] == 302

    with unit_of_work(platform.read_sessions) as db:
        events = [
            (e.action, e.actor, json.loads(e.details_json).get("reason"))
            for e in db.scalars(select(AuditEvent).where(AuditEvent.action.startswith("auth.")).order_by(AuditEvent.id))
        ]
    assert events == [
        *[("auth.sign_in_failed", "citizen", "wrong_password")] * 4,
        ("auth.sign_in_failed", "citizen", "wrong_password"),
        ("auth.locked", "citizen", None),
        ("auth.sign_in_failed", "citizen", "locked"),
        ("auth.sign_in_failed", "nobody-here", "wrong_password"),
        ("auth.signed_in", "citizen2", None),
    ]
