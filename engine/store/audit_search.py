"""Finding audit events for the administrators' audit log: filters, a count, a page, and an export in chunks."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from engine.models import Application, AuditEvent

EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class EventQuery:
    """Empty values filter nothing. `action` matches itself or the actions under it ("auth" → "auth.signed_in")."""

    actor: str = ""
    action: str = ""
    application_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _conditions(query: EventQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.actor:
        conditions.append(func.lower(AuditEvent.actor) == query.actor.casefold())
    if query.action:
        action = query.action.rstrip(".")
        conditions.append((AuditEvent.action == action) | AuditEvent.action.startswith(action + ".", autoescape=True))
    if query.application_id is not None:
        conditions.append(AuditEvent.application_id == query.application_id)
    if query.since is not None:
        conditions.append(AuditEvent.at >= query.since)
    if query.until is not None:
        conditions.append(AuditEvent.at < query.until)
    return conditions


def _rows(query: EventQuery) -> Select[AuditEvent, str]:
    """Each event with its case's reference (None once the case is deleted: the event stays)."""
    return (
        select(AuditEvent, Application.reference)
        .outerjoin(Application, Application.id == AuditEvent.application_id)
        .where(*_conditions(query))
    )


def count(db: Session, query: EventQuery) -> int:
    return int(db.scalar(select(func.count(AuditEvent.id)).where(*_conditions(query))) or 0)


def page(db: Session, query: EventQuery, *, offset: int, limit: int) -> Sequence[tuple[AuditEvent, str | None]]:
    """Newest first."""
    found = db.execute(_rows(query).order_by(AuditEvent.id.desc()).offset(offset).limit(limit)).all()
    return [(event, reference) for event, reference in found]


def all_matching(db: Session, query: EventQuery) -> Iterator[tuple[AuditEvent, str | None]]:
    """Oldest first, read in chunks by id (an export of a million events never holds them all)."""
    after = 0
    while True:
        found = db.execute(_rows(query).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(EXPORT_CHUNK)).all()
        yield from ((event, reference) for event, reference in found)
        if len(found) < EXPORT_CHUNK:
            return
        after = found[-1][0].id
