"""Running due jobs: each in its own transaction, retried with exponential back-off, an incident after the last try.

Handlers are registered by kind with `@job_handler("kind")`. A handler runs inside the job's transaction, after the
application row (if the job has one) is locked; the job is marked done in that same transaction, so the state change,
its outbox rows and "done" commit together or not at all. A worker that dies mid-job holds no lock any more; the
job's lease expires and another worker runs it again, which is why handlers must be idempotent.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import traceback
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.models import Job, JobStatus
from engine.services.context import Actor, Platform
from engine.store import applications, audit
from engine.store import jobs as job_store

log = logging.getLogger(__name__)

JobHandler = Callable[[Session, Platform, Job], None]
FailureHook = Callable[[Session, Platform, Job, str, bool], None]
"""Called in the failure transaction with (db, platform, job, error message, final)."""
SkipHook = Callable[[Session, Platform, Job, Actor, str], None]
"""Called when an administrator skips the job's incident: do the job's effect without its work."""

JOB_HANDLERS: dict[str, JobHandler] = {}
FAILURE_HOOKS: dict[str, FailureHook] = {}
SKIP_HOOKS: dict[str, SkipHook] = {}

HANDLER_MODULES: list[str] = [
    "engine.services.notifications",
    "engine.services.notification_events",
    "engine.services.timers",
    "engine.services.escalations",
    "engine.services.service_tasks",
]
"""Modules that register job handlers when imported; the worker imports those that exist."""

BACKOFF_BASE = timedelta(seconds=30)
DEFAULT_LEASE = timedelta(minutes=5)

H = TypeVar("H", bound=JobHandler)


class JobError(Exception):
    """A failure a handler reports on purpose; `incident_kind` and `element_id` go to the incident."""

    incident_kind = "job"

    def __init__(self, message: str, *, element_id: str | None = None, incident_kind: str | None = None) -> None:
        super().__init__(message)
        self.element_id = element_id
        if incident_kind is not None:
            self.incident_kind = incident_kind


class PermanentJobError(JobError):
    """Retrying will not help: the job fails at once and becomes an incident."""


def job_handler(
    kind: str, *, on_failure: FailureHook | None = None, on_skip: SkipHook | None = None
) -> Callable[[H], H]:
    def register(function: H) -> H:
        JOB_HANDLERS[kind] = function
        if on_failure is not None:
            FAILURE_HOOKS[kind] = on_failure
        if on_skip is not None:
            SKIP_HOOKS[kind] = on_skip
        return function

    return register


def load_job_handlers() -> None:
    for name in HANDLER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed tries: 30 s, 60 s, 120 s, … (no jitter)."""
    factor: int = 2 ** max(attempts - 1, 0)
    return BACKOFF_BASE * factor


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def enqueue_job(
    db: Session,
    platform: Platform,
    *,
    kind: str,
    payload: dict[str, Any],
    application_id: int | None = None,
    dedupe_key: str | None = None,
    delay: timedelta = timedelta(0),
    max_attempts: int = 5,
) -> Job:
    """Queue a job due `delay` from the platform clock's now."""
    return job_store.enqueue(
        db,
        kind=kind,
        payload=payload,
        run_at=platform.clock.now() + delay,
        application_id=application_id,
        dedupe_key=dedupe_key,
        max_attempts=max_attempts,
    )


def run_due_jobs(platform: Platform, *, worker_id: str, limit: int = 20, lease: timedelta = DEFAULT_LEASE) -> int:
    """Take up to `limit` due jobs and run each; returns how many were run (successfully or not)."""
    with unit_of_work(platform.write_sessions) as db:
        taken = [
            job.id
            for job in job_store.take_due(db, now=platform.clock.now(), worker_id=worker_id, lease=lease, limit=limit)
        ]
    return sum(1 for job_id in taken if run_job(platform, job_id, worker_id=worker_id))


def run_job(platform: Platform, job_id: int, *, worker_id: str) -> bool:
    """Run one taken job; False when it is no longer this worker's (its lease passed to another)."""
    db = platform.write_sessions()
    try:
        job = job_store.get(db, job_id)
        if job is None:
            return False
        if job.application_id is not None:
            applications.lock(db, job.application_id)
        job = job_store.lock(db, job_id)
        if job is None or job.status != JobStatus.RUNNING.value or job.locked_by != worker_id:
            db.rollback()
            return False
        handler = JOB_HANDLERS.get(job.kind)
        if handler is None:
            raise PermanentJobError(f"no handler for job kind {job.kind!r}")
        handler(db, platform, job)
        now = platform.clock.now()
        job.status = JobStatus.DONE.value
        job.locked_by = None
        job.locked_until = None
        job.last_error = None
        job.updated_at = now
        db.commit()
        return True
    except Exception as exc:
        db.rollback()
        log.warning("job %s failed: %s", job_id, exc)
        _record_failure(platform, job_id, worker_id, exc, traceback.format_exc())
        return True
    finally:
        db.close()


def _record_failure(platform: Platform, job_id: int, worker_id: str, exc: Exception, stack: str) -> None:
    with unit_of_work(platform.write_sessions) as db:
        job = job_store.get(db, job_id)
        application = None
        if job is not None and job.application_id is not None:
            application = applications.lock(db, job.application_id)
        job = job_store.lock(db, job_id)
        if job is None or job.status != JobStatus.RUNNING.value or job.locked_by != worker_id:
            return
        message = str(exc).strip() or type(exc).__name__
        if not isinstance(exc, JobError):
            message = f"{type(exc).__name__}: {message}"
        final = isinstance(exc, PermanentJobError) or job.attempts >= job.max_attempts
        now = platform.clock.now()
        hook = FAILURE_HOOKS.get(job.kind)
        if hook is not None:
            hook(db, platform, job, message, final)
        job.last_error = message
        job.locked_by = None
        job.locked_until = None
        job.updated_at = now
        if not final:
            job.status = JobStatus.QUEUED.value
            job.run_at = now + backoff(job.attempts)
            audit.record(
                db,
                action="job.retry_scheduled",
                actor_id=None,
                actor="worker",
                application_id=job.application_id,
                details={
                    "job": job.id,
                    "kind": job.kind,
                    "attempt": job.attempts,
                    "error": message,
                    "run_at": job.run_at.isoformat(),
                },
            )
            return
        from engine.services.incidents import open_incident  # here: incidents import this module

        job.status = JobStatus.FAILED.value
        payload = job.payload
        element = exc.element_id if isinstance(exc, JobError) and exc.element_id else payload.get("element_id")
        open_incident(
            db,
            application=application,
            element_id=str(element) if element else None,
            message=message,
            stack=stack,
            kind=exc.incident_kind if isinstance(exc, JobError) else "job",
            job_id=job.id,
        )
