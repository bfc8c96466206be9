"""A failing HTTP call is retried with back-off, becomes an incident, and completes after the fix and a retry."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import IncidentStatus
from engine.services.background.incidents import list_incidents
from engine.services.background.recovery import retry_incident, skip_incident
from engine.services.cases.applications import get_application, public_status
from engine.services.context import Platform
from engine.store import audit

from .conftest import Registry, actor, jobs_of, run_jobs, submit

pytestmark = pytest.mark.usefixtures("services")


def test_failing_call_is_retried_then_an_incident_then_completed_after_retry(
    platform: Platform, registry: Registry, clock: FakeClock
) -> None:
    reference = submit(platform, "svc_http", amount=120)
    (job,) = jobs_of(platform, "service_task")
    assert (job.status, job.max_attempts) == ("queued", 3)  # retries=2 in the diagram

    run_jobs(platform)
    assert registry.requests == [{"amount": 120}]
    run_jobs(platform)
    assert len(registry.requests) == 1, "the retry waits for its back-off"
    clock.advance(timedelta(seconds=30))
    run_jobs(platform)
    assert len(registry.requests) == 2
    clock.advance(timedelta(seconds=59))
    run_jobs(platform)
    assert len(registry.requests) == 2, "the second back-off is twice as long"
    clock.advance(timedelta(seconds=1))
    run_jobs(platform)
    assert len(registry.requests) == 3

    admin = actor(platform, "admin")
    with unit_of_work(platform.read_sessions) as db:
        (incident,) = list_incidents(db, admin)
        assert incident.element_id == "check_registry"
        assert "500" in incident.message and "http_call" in incident.message
        view = get_application(db, actor(platform, "citizen"), reference)
        assert view.status == "active" and view.outcome is None
    (job,) = jobs_of(platform, "service_task")
    assert job.status == "failed"

    registry.failing = False
    with unit_of_work(platform.write_sessions) as db:
        retry_incident(db, platform, admin, incident.id)
    run_jobs(platform)
    assert len(registry.requests) == 4
    with unit_of_work(platform.read_sessions) as db:
        done = public_status(db, reference)
        assert (done.status, done.outcome) == ("completed", "end_confirmed")
        full = get_application(db, actor(platform, "citizen"), reference)
        assert full.data["registry"] == {"status": 200, "body": {"found": True, "id": 7}}
        assert list_incidents(db, admin) == []
        assert [i.status for i in list_incidents(db, admin, status=None)] == [IncidentStatus.RESOLVED.value]


def test_a_successful_call_runs_once_even_if_the_job_runs_again(
    platform: Platform, registry: Registry, clock: FakeClock
) -> None:
    registry.failing = False
    reference = submit(platform, "svc_http")
    run_jobs(platform)
    (job,) = jobs_of(platform, "service_task")
    assert job.status == "done"
    # a worker that crashed after committing would find the task already finished: nothing happens again
    with unit_of_work(platform.write_sessions) as db:
        from engine.services.background.service_tasks import run_service_task

        run_service_task(db, platform, db.merge(job))
    assert len(registry.requests) == 1
    with unit_of_work(platform.read_sessions) as db:
        assert public_status(db, reference).outcome == "end_confirmed"


def test_skipping_the_incident_completes_the_step_without_calling(
    platform: Platform, registry: Registry, clock: FakeClock
) -> None:
    reference = submit(platform, "svc_http")
    for _ in range(3):
        run_jobs(platform)
        clock.advance(timedelta(minutes=5))
    admin = actor(platform, "admin")
    with unit_of_work(platform.write_sessions) as db:
        (incident,) = list_incidents(db, admin)
        skip_incident(db, platform, admin, incident.id, "registry confirmed by phone")
    with unit_of_work(platform.read_sessions) as db:
        view = get_application(db, actor(platform, "citizen"), reference)
        assert (view.status, view.outcome) == ("completed", "end_not_found")
        assert view.data["registry"] is None  # a skipped step's result is None
        actions = [e.action for e in audit.for_application(db, _id(db, reference))]
        assert "service_task.skipped" in actions
        skipped = next(e for e in audit.for_application(db, _id(db, reference)) if e.action == "service_task.skipped")
        assert json.loads(skipped.details_json)["reason"] == "registry confirmed by phone"
    assert len(registry.requests) == 3


def _id(db: object, reference: str) -> int:
    from sqlalchemy.orm import Session

    from engine.store import applications

    assert isinstance(db, Session)
    row = applications.find_by_reference(db, reference)
    assert row is not None
    return row.id
