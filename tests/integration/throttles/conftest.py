"""Apps with the per-address throttles on (small limits where a test says so), clients at given addresses, and a
Redis key prefix of each test's own, so runs sharing the server (xdist workers, other checkouts) never collide."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform
from webapp import create_app

from ...conftest import REDIS_URL, require

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NETWORK = "Too many attempts from your network"
NETWORK_UK = "Забагато спроб з вашої мережі"

AppOf = Callable[..., Flask]


@pytest.fixture
def app_of(settings: Settings, platform: Platform) -> AppOf:
    """create_app with settings changed by keyword (e.g. ratelimits={"login": "3/minute"}, trusted_proxies=1)."""

    def make(**changes: Any) -> Flask:
        app = create_app(dataclasses.replace(settings, **changes), platform=platform)
        app.config["TESTING"] = True
        return app

    return make


@pytest.fixture
def redis_storage() -> Iterator[dict[str, str]]:
    """Settings that count in the tests' Redis under a key prefix of this test's own (its keys deleted after)."""
    require("redis")
    prefix = f"posluhy-test-{uuid.uuid4().hex[:12]}"
    yield {"ratelimit_storage": REDIS_URL, "ratelimit_key_prefix": prefix}
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)


def client_at(app: Flask, address: str, **headers: str) -> FlaskClient:
    """A browser whose requests come from `address` (the TCP peer the app sees), sending `headers` each time."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    for name, value in headers.items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return client


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    found = TOKEN_RE.search(client.get(path).get_data(as_text=True))
    assert found is not None
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str = "wrong", *, lang: str = "en") -> tuple[int, str]:
    reply = client.post(
        f"/login?lang={lang}", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )
    return reply.status_code, reply.get_data(as_text=True)


def throttled_events(platform: Platform) -> list[dict[str, Any]]:
    """The details of every auth.throttled audit event, oldest first."""
    with unit_of_work(platform.read_sessions) as db:
        rows = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.throttled").order_by(AuditEvent.id))
        return [json.loads(row.details_json) for row in rows]
