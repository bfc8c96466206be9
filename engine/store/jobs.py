"""The job queue: enqueue with an optional dedupe key, take due jobs under a lease."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import Job, JobStatus
from engine.store import statements


def enqueue(
    db: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    run_at: datetime,
    application_id: int | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
    fetch: bool = True,
) -> Job | None:
    """Queue a job; with a dedupe key an existing job with that key is returned instead of a second one.

    `fetch=False`: the job is not read back (None is returned), one statement whatever the dedupe key."""
    values: dict[str, Any] = {
        "kind": kind,
        "payload_json": json.dumps(payload, ensure_ascii=False, default=str),
        "application_id": application_id,
        "run_at": run_at,
        "attempts": 0,
        "max_attempts": max_attempts,
        "status": JobStatus.QUEUED.value,
        "created_at": session_now(db),
        "updated_at": session_now(db),
        "dedupe_key": dedupe_key,
    }
    if dedupe_key is None and not fetch:
        statements.run(db, statements.plain_insert(Job), values)
        return None
    if dedupe_key is None:
        job = Job(**values)
        db.add(job)
        db.flush()
        return job
    # INSERT … ON CONFLICT DO NOTHING: a concurrent enqueue of the same key waits for the other and then yields.
    statements.run(db, statements.insert_or_ignore(db, Job, "dedupe_key"), values)
    if not fetch:
        return None
    existing = db.scalar(select(Job).where(Job.dedupe_key == dedupe_key).execution_options(populate_existing=True))
    assert existing is not None
    return existing


def take_due(db: Session, *, now: datetime, worker_id: str, lease: timedelta, limit: int) -> list[Job]:
    """Lease up to `limit` due jobs to this worker, including running jobs whose lease has expired.

    PostgreSQL: rows locked by another worker's take are skipped, so each job goes to one worker.
    SQLite: the writer lock is already held, a plain select is enough.
    """
    due = or_(
        and_(Job.status == JobStatus.QUEUED.value, Job.run_at <= now),
        and_(Job.status == JobStatus.RUNNING.value, Job.locked_until < now),
    )
    query = select(Job).where(due).order_by(Job.run_at, Job.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = list(db.scalars(query.execution_options(populate_existing=True)).all())
    for job in jobs:
        job.status = JobStatus.RUNNING.value
        job.locked_by = worker_id
        job.locked_until = now + lease
        job.attempts += 1
        job.updated_at = now
    db.flush()
    return jobs


def lock(db: Session, job_id: int) -> Job | None:
    return db.scalar(select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True))


def get(db: Session, job_id: int) -> Job | None:
    return db.get(Job, job_id)


def for_application(db: Session, application_id: int) -> Sequence[Job]:
    return db.scalars(select(Job).where(Job.application_id == application_id).order_by(Job.id)).all()


def by_kind(db: Session, kind: str) -> Sequence[Job]:
    return db.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)).all()


def queued_for_application(db: Session, application_id: int, *, kind: str) -> Sequence[Job]:
    return db.scalars(
        select(Job)
        .where(Job.application_id == application_id, Job.kind == kind, Job.status == JobStatus.QUEUED.value)
        .order_by(Job.id)
    ).all()
