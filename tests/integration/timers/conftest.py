"""Timers, deadlines and escalation under test: a fake clock, the timer test services, demo people, real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.db import unit_of_work
from engine.models import Application, AuditEvent, HumanTask
from engine.services.cases.applications import start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import applications, tasks

from ..conftest import ActorOf as ActorOf
from ..conftest import Mailbox as Mailbox

HERE = Path(__file__).resolve().parent
START = datetime(2026, 12, 28, 7, 0, tzinfo=UTC)  # Monday 09:00 in Kyiv, the week before New Year


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    fake = FakeClock(START)
    platform.clock = fake
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=HERE / "processes", forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
        assert not report.rejected, report.lines()
    return fake


def apply(platform: Platform, actor: Actor, service: str, answers: dict[str, Any]) -> str:
    """Start an application and submit its start form; returns the reference number."""
    with unit_of_work(platform.write_sessions) as db:
        view = start_application(db, platform, actor, service)
        start = view.tasks[0]
        complete_task(db, platform, actor, start.id, answers)
        return view.reference


def application(platform: Platform, reference: str) -> Application:
    with unit_of_work(platform.read_sessions) as db:
        found = applications.find_by_reference(db, reference)
        assert found is not None
        db.expunge(found)
        return found


def open_tasks(platform: Platform, reference: str) -> list[HumanTask]:
    with unit_of_work(platform.read_sessions) as db:
        found = applications.find_by_reference(db, reference)
        assert found is not None
        rows = list(tasks.open_for_application(db, found.id))
        for row in rows:
            db.expunge(row)
        return rows


def audit_actions(platform: Platform, reference: str, action: str) -> list[AuditEvent]:
    with unit_of_work(platform.read_sessions) as db:
        found = applications.find_by_reference(db, reference)
        assert found is not None
        rows = list(
            db.scalars(
                select(AuditEvent)
                .where(AuditEvent.application_id == found.id, AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )
        for row in rows:
            db.expunge(row)
        return rows
