"""The audit log for administrators: find events by actor, action, case and days; a page at a time or as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from engine.models import AuditEvent
from engine.services.admin.audit_trail import day_bounds
from engine.services.context import Actor
from engine.services.errors import ForbiddenError
from engine.spreadsheets import safe_cell
from engine.store import applications, audit_search
from engine.store.audit_search import EventQuery

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
"""Events in one CSV file at most (the oldest first); narrow the days to export more."""
CSV_COLUMNS = ("id", "at", "actor", "action", "reference", "application_id", "task_id", "element_id", "details", "hash")


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    reference: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    reference: str | None
    application_id: int | None
    details: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int
    unknown_reference: bool = False


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("audit log")


def _query(db: Session, found: AuditFilter) -> EventQuery | None:
    """The store's query; None when the reference names no case (nothing can match)."""
    application_id = None
    if found.reference:
        application = applications.find_by_reference(db, found.reference)
        if application is None:
            return None
        application_id = application.id
    since, until = day_bounds(found.since, found.until)
    return EventQuery(actor=found.actor, action=found.action, application_id=application_id, since=since, until=until)


def _details(event: AuditEvent) -> tuple[tuple[str, str], ...]:
    try:
        values = json.loads(event.details_json or "{}")
    except ValueError:
        return (("", event.details_json),)
    if not isinstance(values, dict):
        return (("", str(values)),)
    return tuple((str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)) for k, v in values.items())


def _row(event: AuditEvent, reference: str | None) -> AuditRow:
    return AuditRow(event.id, event.at, event.actor, event.action, reference, event.application_id, _details(event))


def search(db: Session, actor: Actor, found: AuditFilter, *, page: int) -> AuditPage:
    _require_admin(actor)
    query = _query(db, found)
    if query is None:
        return AuditPage([], 1, 1, 0, unknown_reference=True)
    total = audit_search.count(db, query)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = audit_search.page(db, query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return AuditPage([_row(event, reference) for event, reference in rows], page, pages, total)


def export_csv(db: Session, actor: Actor, found: AuditFilter, *, limit: int = EXPORT_LIMIT) -> Iterator[str]:
    """The header, then one line per matching event, oldest first, at most `limit` of them."""
    _require_admin(actor)
    query = _query(db, found)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield _take(out)
    if query is None:
        return
    for number, (event, reference) in enumerate(audit_search.all_matching(db, query)):
        if number >= limit:
            return
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    event.id,
                    event.at.isoformat(),
                    event.actor,
                    event.action,
                    reference,
                    event.application_id,
                    event.task_id,
                    event.element_id,
                    event.details_json,
                    event.hash,
                )
            ]
        )
        yield _take(out)


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text
