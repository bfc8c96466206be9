"""Everything recorded about one case, for the operator console's case page (a few statements, no workflow)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.models import AuditEvent, HumanTask, Incident, Job, JobStatus

AUDIT_LIMIT = 1000
HELD = "held"
"""A job of a suspended case: not taken by any worker until the case is resumed (then queued again)."""


def tasks_of(db: Session, application_id: int) -> Sequence[HumanTask]:
    """Every task of the case, open or done, oldest first, with candidates, holder and who completed it."""
    return db.scalars(
        select(HumanTask)
        .where(HumanTask.application_id == application_id)
        .options(selectinload(HumanTask.candidates), joinedload(HumanTask.assignee), joinedload(HumanTask.completed_by))
        .order_by(HumanTask.created_at, HumanTask.id)
    ).all()


def incidents_of(db: Session, application_id: int) -> Sequence[Incident]:
    return db.scalars(select(Incident).where(Incident.application_id == application_id).order_by(Incident.id)).all()


def audit_of(db: Session, application_id: int, *, limit: int = AUDIT_LIMIT) -> Sequence[AuditEvent]:
    """The case's audit events, the newest `limit`, oldest first."""
    rows = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.application_id == application_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def hold_jobs(db: Session, application_id: int) -> int:
    """Set aside the case's queued and running jobs (a running one's worker then finds it is no longer its own)."""
    jobs = db.scalars(
        select(Job).where(
            Job.application_id == application_id,
            Job.status.in_((JobStatus.QUEUED.value, JobStatus.RUNNING.value)),
        )
    ).all()
    for job in jobs:
        job.status = HELD
        job.locked_by = None
        job.locked_until = None
    return len(jobs)


def release_jobs(db: Session, application_id: int, *, now: datetime) -> int:
    """Queue the held jobs of a resumed case again, due now."""
    jobs = db.scalars(select(Job).where(Job.application_id == application_id, Job.status == HELD)).all()
    for job in jobs:
        job.status = JobStatus.QUEUED.value
        job.run_at = now
    return len(jobs)
