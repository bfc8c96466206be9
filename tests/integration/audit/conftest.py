"""Fixtures of the audit trail tests: events written through the platform's own writers, raw SQL to tamper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from engine.config import Settings
from engine.db import unit_of_work
from engine.services.context import Platform
from engine.store import audit

from ..conftest import ActorOf as ActorOf

Tamper = Callable[..., None]


def write_events(platform: Platform, count: int, *, action: str = "test.event", actor: str = "tester") -> None:
    """`count` events: half added with the ORM (`record`), half in one statement (`record_many`)."""
    with unit_of_work(platform.write_sessions) as db:
        for number in range(count // 2):
            audit.record(db, action=action, actor_id=None, actor=actor, details={"n": number})
        db.flush()
        rows = [
            audit.row(db, action=action, actor_id=None, actor=actor, details={"n": number})
            for number in range(count // 2, count)
        ]
        audit.record_many(db, rows)


@pytest.fixture
def tamper(platform: Platform) -> Tamper:
    """Run raw SQL on the platform's database, committed (what someone with database access could do)."""

    def run(sql: str, **parameters: Any) -> None:
        with platform.engine.begin() as conn:
            conn.execute(text(sql), parameters)

    return run


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)


def last_event_id(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(text("SELECT max(id) FROM audit_event")).scalar_one())
