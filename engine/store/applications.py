"""Applications and the per-application lock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from engine.models import Application, ApplicationStatus, ServiceVersion

_BY_REFERENCE = select(Application).where(Application.reference == bindparam("reference"))
_REFERENCE_TAKEN = select(Application.id).where(Application.reference == bindparam("reference"))
_LOCK = (
    select(Application)
    .where(Application.id == bindparam("application_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def find_by_reference(db: Session, reference: str) -> Application | None:
    """The application (its version is read from the platform's caches, not joined here)."""
    return db.scalar(_BY_REFERENCE, {"reference": reference})


def lock(db: Session, application_id: int) -> Application:
    """Load the application for update: PostgreSQL row lock; on SQLite the writer lock is already held."""
    db.expire_all()
    application = db.scalar(_LOCK, {"application_id": application_id})
    if application is None:
        raise LookupError(application_id)
    return application


def reference_exists(db: Session, reference: str) -> bool:
    return db.scalar(_REFERENCE_TAKEN, {"reference": reference}) is not None


def list_for_applicant(db: Session, applicant_id: int) -> Sequence[Application]:
    return db.scalars(
        select(Application).where(Application.applicant_id == applicant_id).order_by(Application.created_at.desc())
    ).all()


def add_pending(db: Session, application: Application) -> None:
    """Add without writing yet: the step's save inserts it together with its first worklist rows."""
    db.add(application)


def add(db: Session, application: Application) -> None:
    db.add(application)
    db.flush()


def get(db: Session, application_id: int) -> Application | None:
    return db.get(Application, application_id)


def running_for_version(db: Session, version_id: int) -> Sequence[Application]:
    """Applications of a version that have not finished (active or stopped with an error), oldest first."""
    return db.scalars(
        select(Application)
        .where(Application.service_version_id == version_id, Application.status.in_(("active", "error")))
        .order_by(Application.created_at, Application.id)
    ).all()


def due_timers(db: Session, *, now: datetime, limit: int) -> list[tuple[int, datetime]]:
    """(application id, due time) of active applications whose earliest timer is due, earliest first."""
    rows = db.execute(
        select(Application.id, Application.next_timer_at)
        .where(
            Application.status == ApplicationStatus.ACTIVE.value,
            Application.next_timer_at.is_not(None),
            Application.next_timer_at < now,
        )
        .order_by(Application.next_timer_at)
        .limit(limit)
    ).all()
    return [(application_id, due_at) for application_id, due_at in rows if due_at is not None]


def ordinal_in_service(db: Session, service_id: int, application_id: int) -> int:
    """How many applications of the service (any version) were created up to and including this one."""
    count = db.scalar(
        select(func.count(Application.id))
        .join(ServiceVersion, Application.service_version_id == ServiceVersion.id)
        .where(ServiceVersion.service_id == service_id, Application.id <= application_id)
    )
    return int(count or 0)
