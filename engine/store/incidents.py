"""Incidents: failures waiting for an administrator."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Incident, IncidentStatus


def add(db: Session, incident: Incident) -> Incident:
    db.add(incident)
    db.flush()
    return incident


def get(db: Session, incident_id: int) -> Incident | None:
    return db.get(Incident, incident_id)


def listing(db: Session, *, status: str | None = IncidentStatus.OPEN.value, limit: int = 500) -> Sequence[Incident]:
    query = select(Incident).order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Incident.status == status)
    return db.scalars(query).all()


def open_for_application(db: Session, application_id: int) -> Sequence[Incident]:
    return db.scalars(
        select(Incident)
        .where(Incident.application_id == application_id, Incident.status == IncidentStatus.OPEN.value)
        .order_by(Incident.id)
    ).all()


def has_open(db: Session, application_id: int) -> bool:
    return (
        db.scalar(
            select(Incident.id)
            .where(Incident.application_id == application_id, Incident.status == IncidentStatus.OPEN.value)
            .limit(1)
        )
        is not None
    )


def applications_with_open(db: Session, application_ids: Sequence[int]) -> set[int]:
    """Which of these applications have an open incident (one query for a list page)."""
    if not application_ids:
        return set()
    rows = db.scalars(
        select(Incident.application_id).where(
            Incident.application_id.in_(list(application_ids)), Incident.status == IncidentStatus.OPEN.value
        )
    ).all()
    return {r for r in rows if r is not None}
