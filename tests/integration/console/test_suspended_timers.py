"""A suspended case fires no timer when the worker runs; on resume its timers move by the time it was suspended."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import Application, AuditEvent
from engine.services.cases.applications import start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.console.operations import resume_case, suspend_case
from engine.services.context import SYSTEM, Platform
from engine.store import applications
from engine.worker import run_once

from ..conftest import ActorOf
from .conftest import START

TIMER_SERVICES = Path(__file__).resolve().parents[1] / "timers" / "processes"


def _application(platform: Platform, reference: str) -> Application:
    with unit_of_work(platform.read_sessions) as db:
        found = applications.find_by_reference(db, reference)
        assert found is not None
        db.expunge(found)
        return found


def _fired(platform: Platform, reference: str) -> list[str]:
    application_id = _application(platform, reference).id
    with unit_of_work(platform.read_sessions) as db:
        return [
            str(e.element_id)
            for e in db.scalars(
                select(AuditEvent).where(
                    AuditEvent.application_id == application_id, AuditEvent.action == "timer.fired"
                )
            )
        ]


def test_a_suspended_case_fires_no_timer_and_its_timer_moves_on_resume(
    platform: Platform, clock: FakeClock, actor_of: ActorOf
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=TIMER_SERVICES, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
        assert not report.rejected, report.lines()
    citizen, admin = actor_of("citizen"), actor_of("admin")
    with unit_of_work(platform.write_sessions) as db:
        view = start_application(db, platform, citizen, "timer_wait")
        complete_task(db, platform, citizen, view.tasks[0].id, {"days": "2", "until": "2027-02-01T10:00:00"})
        reference = view.reference
    assert _application(platform, reference).next_timer_at == START + timedelta(days=2)

    clock.advance(timedelta(days=1))
    with unit_of_work(platform.write_sessions) as db:
        suspend_case(db, platform, admin, reference, "Waiting for a court", expected_version=None)

    clock.advance(timedelta(days=2))  # a day past the timer's due time
    run_once(platform, worker_id="w")
    assert _fired(platform, reference) == []
    assert _application(platform, reference).status == "suspended"

    with unit_of_work(platform.write_sessions) as db:
        resume_case(db, platform, admin, reference, "The court decided", expected_version=None)
    resumed = _application(platform, reference)
    assert resumed.status == "active"
    assert resumed.next_timer_at == START + timedelta(days=4)  # two days suspended: two days later
    run_once(platform, worker_id="w")
    assert _fired(platform, reference) == []

    clock.set(START + timedelta(days=4, seconds=1))
    run_once(platform, worker_id="w")
    assert _fired(platform, reference) == ["wait_days"]
