"""The operator console's search: administrators find any case, officials those of their own and overseen
organisations; only administrators search by applicant. The work is SQL in `engine.store.case_search`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.services.context import Actor
from engine.services.errors import ForbiddenError
from engine.store import case_search
from engine.store import incidents as incident_store
from engine.store.case_search import CONSOLE_STATUSES, SORTS, CaseQuery, CaseRow, OpenTaskRow

__all__ = ["CONSOLE_STATUSES", "SORTS", "CaseQuery", "ConsoleCase", "ConsolePage", "console_now", "search_cases"]

PER_PAGE = 50


@dataclass(frozen=True)
class ConsoleCase:
    row: CaseRow
    status: str
    """The console status: suspended, incident, overdue, waiting, active, completed or cancelled."""
    open_tasks: list[OpenTaskRow]


@dataclass(frozen=True)
class ConsolePage:
    cases: list[ConsoleCase]
    counts: dict[str, int]
    total: int
    page: int
    pages: int


def console_now(db: Session) -> datetime:
    """The platform clock's now (what "overdue" is judged by)."""
    return session_now(db)


def console_scope(actor: Actor) -> frozenset[int] | None:
    """The organisations whose cases the actor finds (None: all); refuses anyone but officials and admins."""
    if actor.is_admin:
        return None
    if actor.is_official:
        return actor.organisation_ids | actor.overseen_organisation_ids
    raise ForbiddenError("operator console")


def scoped(actor: Actor, query: CaseQuery) -> CaseQuery:
    """The query limited to what the actor may see; an official's applicant filter is dropped."""
    scope = console_scope(actor)
    return replace(query, visible_to=scope, applicant=query.applicant if actor.is_admin else "")


def search_cases(db: Session, actor: Actor, query: CaseQuery, *, page: int = 1) -> ConsolePage:
    query = scoped(actor, query)
    counts = case_search.count_by_status(db, query)
    total = counts["all"] if query.status not in CONSOLE_STATUSES else counts[query.status]
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = case_search.find_page(db, query, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return ConsolePage(cases=_with_tasks(db, rows, query.now), counts=counts, total=total, page=page, pages=pages)


def export_cases(db: Session, actor: Actor, query: CaseQuery) -> Iterator[ConsoleCase]:
    """Every case the search finds, a batch at a time (for the CSV export)."""
    query = scoped(actor, query)
    batch: list[CaseRow] = []
    for row in case_search.find_all(db, query):
        batch.append(row)
        if len(batch) == 500:
            yield from _with_tasks(db, batch, query.now)
            batch = []
    yield from _with_tasks(db, batch, query.now)


def step_choices(db: Session, actor: Actor) -> list[tuple[str, str]]:
    return case_search.step_choices(db, console_scope(actor))


def _with_tasks(db: Session, rows: list[CaseRow], now: datetime) -> list[ConsoleCase]:
    ids = [r.id for r in rows]
    open_tasks = case_search.open_tasks_of(db, ids)
    incidents = incident_store.applications_with_open(db, ids)
    return [
        ConsoleCase(
            r, console_status(r.status, open_tasks.get(r.id, []), r.id in incidents, now), open_tasks.get(r.id, [])
        )
        for r in rows
    ]


def console_status(status: str, open_tasks: list[OpenTaskRow], has_incident: bool, now: datetime) -> str:
    """One status per case for lists, the most pressing first."""
    if status in ("suspended", "completed", "cancelled"):
        return status
    if status == "error" or has_incident:
        return "incident"
    if any(t.due_at is not None and t.due_at < now for t in open_tasks):
        return "overdue"
    if any(t.for_applicant for t in open_tasks):
        return "waiting"
    return "active"
