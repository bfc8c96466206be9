"""Firing BPMN timers in the background: find due cases, queue one job each, fire under the application lock.

`application.next_timer_at` (kept by `sync_worklist` after every run) is the indexed due time of the case's
earliest timer. The worker calls `enqueue_due_timers`; the dedupe key (application + due time) makes two
workers queue one job, and the handler re-checks the due time under the application lock, so a timer fires once
even when a job is run twice.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.models import ApplicationStatus, Job
from engine.runtime.timers import fire_due
from engine.services.background.jobs import JobKind, enqueue_job
from engine.services.cases.step import open_case, save_case
from engine.services.context import Platform
from engine.store import applications, audit

BATCH = 500


def enqueue_due_timers(db: Session, platform: Platform) -> int:
    """Queue a "fire_timers" job for every active application whose next timer is due; returns how many."""
    now = platform.clock.now()
    due = applications.due_timers(db, now=now, limit=BATCH)
    for application_id, due_at in due:
        enqueue_job(
            db,
            platform,
            kind=JobKind.FIRE_TIMERS,
            payload={"due": due_at.isoformat()},
            application_id=application_id,
            dedupe_key=f"timer:{application_id}:{due_at.isoformat()}",
        )
    return len(due)


def fire_timers_job(db: Session, platform: Platform, job: Job) -> None:
    """Runs with the application row locked (the job machinery locks it first)."""
    if job.application_id is not None:
        fire_application_timers(db, platform, job.application_id)


def fire_application_timers(db: Session, platform: Platform, application_id: int) -> list[str]:
    """Fire the application's due timers now and save; returns the fired timers' element ids."""
    now = platform.clock.now()
    opened = open_case(db, platform, application_id)
    application = opened.application
    due = application.next_timer_at
    if application.status != ApplicationStatus.ACTIVE.value or due is None or due >= now:
        return []
    result, fired = fire_due(opened.case)
    for element_id in fired:
        audit.record(
            db,
            action="timer.fired",
            actor_id=None,
            actor="engine",
            application_id=application.id,
            element_id=element_id,
            details={"due": due.isoformat(), "at": now.isoformat()},
        )
    save_case(db, platform, opened, result)
    return fired
