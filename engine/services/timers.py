"""Firing BPMN timers in the background: find due cases, queue one job each, fire under the application lock.

`application.next_timer_at` (kept by `sync_worklist` after every run) is the indexed due time of the case's
earliest timer. The worker calls `enqueue_due_timers`; the dedupe key (application + due time) makes two
workers queue one job, and the handler re-checks the due time under the application lock, so a timer fires once
even when a job is run twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Application, ApplicationStatus, Job
from engine.runtime.cases import Case
from engine.runtime.timers import fire_due
from engine.services.context import Platform
from engine.services.incidents import save_after_run
from engine.services.jobs import enqueue_job, job_handler
from engine.store import applications, audit, catalog

FIRE_TIMERS = "fire_timers"
BATCH = 500


def enqueue_due_timers(db: Session, platform: Platform) -> int:
    """Queue a "fire_timers" job for every active application whose next timer is due; returns how many."""
    now = platform.clock.now()
    due = db.execute(
        select(Application.id, Application.next_timer_at)
        .where(
            Application.status == ApplicationStatus.ACTIVE.value,
            Application.next_timer_at.is_not(None),
            Application.next_timer_at < now,
        )
        .order_by(Application.next_timer_at)
        .limit(BATCH)
    ).all()
    for application_id, due_at in due:
        assert due_at is not None
        enqueue_job(
            db,
            platform,
            kind=FIRE_TIMERS,
            payload={"due": due_at.isoformat()},
            application_id=application_id,
            dedupe_key=f"timer:{application_id}:{due_at.isoformat()}",
        )
    return len(due)


@job_handler(FIRE_TIMERS)
def fire_timers_job(db: Session, platform: Platform, job: Job) -> None:
    """Runs with the application row locked (the job machinery locks it first)."""
    if job.application_id is None:
        return
    application = applications.lock(db, job.application_id)
    fire_application_timers(db, platform, application)


def fire_application_timers(db: Session, platform: Platform, application: Application) -> list[str]:
    """Fire the application's due timers now and save; returns the fired timers' element ids."""
    now = platform.clock.now()
    due = application.next_timer_at
    if application.status != ApplicationStatus.ACTIVE.value or due is None or due >= now:
        return []
    version = application.service_version
    spec_json = catalog.get_spec_json(db, version.spec_digest)
    case = Case.load(spec_json, application.state_json, platform.script_engine, platform.clock)
    result, fired = fire_due(case)
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
    save_after_run(db, platform, application, case, result)
    return fired
