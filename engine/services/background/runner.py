"""Running due jobs: each in its own transaction, retried with exponential back-off, an incident after the last try.

A job's handler (from `engine.services.background.registry`) runs inside the job's transaction, after the
application row (if the job has one) is locked; the job is marked done in that same transaction, so the state
change, its outbox rows and "done" commit together or not at all. A worker that dies mid-job holds no lock any
more; the job's lease expires and another worker runs it again, which is why handlers must be idempotent.
"""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from engine.db import unit_of_work
from engine.models import JobStatus
from engine.services.background.incidents import open_incident
from engine.services.background.jobs import DEFAULT_LEASE, JobError, PermanentJobError, backoff
from engine.services.background.registry import JOB_KINDS
from engine.services.context import Platform
from engine.store import applications, audit
from engine.store import jobs as job_store

log = logging.getLogger(__name__)


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
        handlers = JOB_KINDS.get(job.kind)
        if handlers is None:
            raise PermanentJobError(f"no handler for job kind {job.kind!r}")
        handlers.run(db, platform, job)
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
        handlers = JOB_KINDS.get(job.kind)
        if handlers is not None and handlers.on_failure is not None:
            handlers.on_failure(db, platform, job, message, final)
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
