"""The job machinery: exact back-off, an incident after the last try, leases after a crash, no double runs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import AuditEvent, Incident, Job
from engine.services.background.jobs import JobKindHandlers, enqueue_job
from engine.services.background.registry import JOB_KINDS
from engine.services.background.runner import run_due_jobs, run_job
from engine.services.context import Platform
from engine.services.mail.outbox import queue_email
from engine.store import audit
from engine.store import jobs as job_store

from .conftest import Mailbox

FAILING = {"on": True}


def flaky(db: Session, platform: Platform, job: Job) -> None:
    if FAILING["on"]:
        raise RuntimeError("registry is down")
    audit.record(db, action="test.flaky.ran", actor_id=None, actor="worker", details={"job": job.id})


def count(db: Session, platform: Platform, job: Job) -> None:
    audit.record(db, action="test.count.ran", actor_id=None, actor="worker", details={"job": job.id})


@pytest.fixture(autouse=True)
def _test_job_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Job kinds of these tests only, beside the platform's own."""
    monkeypatch.setitem(JOB_KINDS, "test.flaky", JobKindHandlers(flaky))
    monkeypatch.setitem(JOB_KINDS, "test.count", JobKindHandlers(count))


def _job(platform: Platform, job_id: int) -> Job:
    with unit_of_work(platform.read_sessions) as db:
        job = db.get(Job, job_id)
        assert job is not None
        return job


def test_back_off_doubles_then_the_last_failure_becomes_an_incident(platform: Platform, clock: FakeClock) -> None:
    FAILING["on"] = True
    with unit_of_work(platform.write_sessions) as db:
        job_id = enqueue_job(db, platform, kind="test.flaky", payload={"element_id": "call_registry"}).id
    delays = []
    for attempt in range(1, 5):
        assert run_due_jobs(platform, worker_id="w") == 1
        job = _job(platform, job_id)
        assert (job.status, job.attempts) == ("queued", attempt)
        assert job.last_error == "RuntimeError: registry is down"
        delays.append(job.run_at - clock.now())
        clock.set(job.run_at)
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert run_due_jobs(platform, worker_id="w") == 1
    assert _job(platform, job_id).status == "failed"
    with unit_of_work(platform.read_sessions) as db:
        incident = db.scalars(select(Incident)).one()
    assert (incident.job_id, incident.element_id, incident.kind, incident.status) == (
        job_id,
        "call_registry",
        "job",
        "open",
    )
    assert "RuntimeError: registry is down" in incident.message and "Traceback" in incident.stack
    clock.advance(timedelta(days=1))
    assert run_due_jobs(platform, worker_id="w") == 0


def test_a_worker_killed_mid_job_loses_nothing_and_the_mail_goes_once(
    platform: Platform, clock: FakeClock, mailbox: Mailbox
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        queue_email(
            db,
            platform,
            to="a@example.org",
            template="official_digest",
            locale="en",
            context={"name": "A", "new": [], "overdue": [], "day": "2026-03-02"},
            key="digest.test",
        )
    with unit_of_work(platform.write_sessions) as db:  # the worker that will die takes the job ...
        (taken,) = job_store.take_due(db, now=clock.now(), worker_id="dead", lease=timedelta(minutes=5), limit=10)
    # ... and never finishes it. Until its lease runs out nobody else runs the job.
    assert run_due_jobs(platform, worker_id="alive") == 0
    clock.advance(timedelta(minutes=5, seconds=1))
    assert run_due_jobs(platform, worker_id="alive") == 1
    assert len(mailbox.messages) == 1
    # The dead worker coming back to life does not run it again.
    assert run_job(platform, taken.id, worker_id="dead") is False
    clock.advance(timedelta(hours=1))
    assert run_due_jobs(platform, worker_id="alive") == 0
    assert len(mailbox.messages) == 1
    job = _job(platform, taken.id)
    assert (job.status, job.attempts) == ("done", 2)


def test_the_same_dedupe_key_queues_one_job(platform: Platform, clock: FakeClock) -> None:
    with unit_of_work(platform.write_sessions) as db:
        first = enqueue_job(db, platform, kind="test.count", payload={}, dedupe_key="once").id
        second = enqueue_job(db, platform, kind="test.count", payload={}, dedupe_key="once").id
    assert first == second
    assert run_due_jobs(platform, worker_id="w") == 1


@pytest.mark.postgres
def test_two_workers_racing_run_each_job_exactly_once(platform: Platform, clock: FakeClock) -> None:
    with unit_of_work(platform.write_sessions) as db:
        ids = [enqueue_job(db, platform, kind="test.count", payload={}).id for _ in range(40)]
    ran: dict[str, int] = {}
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        start.wait()
        total = 0
        while (n := run_due_jobs(platform, worker_id=name, limit=3)) > 0:
            total += n
        ran[name] = total

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(ran.values()) == len(ids)
    assert all(n > 0 for n in ran.values()), ran  # both took part
    with unit_of_work(platform.read_sessions) as db:
        events = db.scalars(select(AuditEvent.details_json).where(AuditEvent.action == "test.count.ran")).all()
        statuses = set(db.scalars(select(Job.status).where(Job.id.in_(ids))).all())
    assert sorted(int(e.split(":")[1].strip(" }")) for e in events) == ids
    assert statuses == {"done"}
