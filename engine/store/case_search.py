"""Finding cases for the operator console: filters, counts, sorting and pages in SQL, never loading a workflow.

The console's statuses are derived from stored columns: "waiting for citizen" and "overdue" are active cases
with an open task for the applicant or past its due date; "incident" is a case stopped by an error or with an
open incident. They overlap (an overdue case is also active); the counts say how many of the found cases have each.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.models import (
    Application,
    ApplicationStatus,
    HumanTask,
    Incident,
    IncidentStatus,
    Organisation,
    Service,
    ServiceVersion,
    TaskStatus,
    User,
)

CONSOLE_STATUSES = ("active", "waiting", "overdue", "suspended", "incident", "completed", "cancelled")
SORTS = ("created", "updated", "reference", "status", "service")
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class CaseQuery:
    """What to look for; empty values filter nothing. `visible_to` None: every organisation (administrators)."""

    now: datetime
    visible_to: frozenset[int] | None = None
    reference: str = ""
    service: str = ""
    version: int | None = None
    organisation_id: int | None = None
    status: str = ""
    step: str = ""
    assignee: str = ""
    applicant: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None
    closed_from: datetime | None = None
    closed_to: datetime | None = None
    sort: str = "created"
    descending: bool = True


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    status: str
    service_id: str
    service_title: str
    version: int
    organisation: str
    applicant: str
    created_at: datetime
    submitted_at: datetime | None
    updated_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class OpenTaskRow:
    application_id: int
    element_id: str
    title: str
    assignee: str
    due_at: datetime | None
    for_applicant: bool


def _open_task(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        HumanTask.application_id == Application.id, HumanTask.status == TaskStatus.OPEN.value, *conditions
    )


def _open_incident() -> ColumnElement[bool]:
    return exists().where(Incident.application_id == Application.id, Incident.status == IncidentStatus.OPEN.value)


def status_condition(status: str, now: datetime) -> ColumnElement[bool]:
    active = Application.status == ApplicationStatus.ACTIVE.value
    conditions: dict[str, ColumnElement[bool]] = {
        "active": active,
        "waiting": and_(active, _open_task(HumanTask.for_applicant.is_(True))),
        "overdue": and_(active, _open_task(HumanTask.due_at.is_not(None), HumanTask.due_at < now)),
        "suspended": Application.status == ApplicationStatus.SUSPENDED.value,
        "incident": or_(Application.status == ApplicationStatus.ERROR.value, _open_incident()),
        "completed": Application.status == ApplicationStatus.COMPLETED.value,
        "cancelled": Application.status == ApplicationStatus.CANCELLED.value,
    }
    return conditions[status]


def _conditions(query: CaseQuery) -> list[ColumnElement[bool]]:
    """Every filter but the status (the counts are per status of what the other filters found)."""
    found: list[ColumnElement[bool]] = []
    if query.visible_to is not None:
        seen = list(query.visible_to)
        had_step = exists().where(HumanTask.application_id == Application.id, HumanTask.organisation_id.in_(seen))
        found.append(or_(Application.organisation_id.in_(seen), had_step))
    if query.reference:
        found.append(Application.reference.like(f"%{_escaped(query.reference.upper())}%", escape="\\"))
    if query.service:
        found.append(Service.process_id == query.service)
    if query.version is not None:
        found.append(ServiceVersion.number == query.version)
    if query.organisation_id is not None:
        found.append(Application.organisation_id == query.organisation_id)
    if query.step:
        found.append(_open_task(HumanTask.element_id == query.step))
    if query.assignee:
        holder = select(User.id).where(User.username == query.assignee).scalar_subquery()
        found.append(_open_task(HumanTask.assignee_id == holder))
    if query.applicant:
        found.append(_applicant_matches(query.applicant))
    for column, low, high in (
        (Application.created_at, query.created_from, query.created_to),
        (Application.closed_at, query.closed_from, query.closed_to),
    ):
        if low is not None:
            found.append(column >= low)
        if high is not None:
            found.append(column < high)
    return found


def _applicant_matches(typed: str) -> ColumnElement[bool]:
    """Name, username or e-mail containing the text: as typed, or lower-cased (SQLite lowers ASCII only, so a
    Cyrillic name is found there as typed)."""
    exact, lowered = f"%{_escaped(typed)}%", f"%{_escaped(typed.lower())}%"
    columns = (User.username, User.full_name, User.email)
    return or_(
        *[c.like(exact, escape="\\") for c in columns],
        *[func.lower(c).like(lowered, escape="\\") for c in columns],
    )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _joined(statement: Any) -> Select[Any]:
    joined: Select[Any] = (
        statement.select_from(Application)
        .join(ServiceVersion, Application.service_version_id == ServiceVersion.id)
        .join(Service, ServiceVersion.service_id == Service.id)
        .join(User, Application.applicant_id == User.id)
        .outerjoin(Organisation, Application.organisation_id == Organisation.id)
    )
    return joined


def count_by_status(db: Session, query: CaseQuery) -> dict[str, int]:
    """How many cases the filters (all but the status) find, per console status, and "all": one statement."""
    columns = [func.count(Application.id).label("all")]
    columns += [
        func.coalesce(func.sum(case((status_condition(s, query.now), 1), else_=0)), 0).label(s)
        for s in CONSOLE_STATUSES
    ]
    row = db.execute(_joined(select(*columns)).where(*_conditions(query))).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}


def _rows_statement(query: CaseQuery) -> Select[Any]:
    statement = _joined(
        select(
            Application.id,
            Application.reference,
            Application.status,
            Service.process_id,
            ServiceVersion.title,
            ServiceVersion.number,
            Organisation.name,
            func.coalesce(func.nullif(User.full_name, ""), User.username),
            Application.created_at,
            Application.submitted_at,
            Application.updated_at,
            Application.closed_at,
        )
    ).where(*_conditions(query))
    if query.status in CONSOLE_STATUSES:
        statement = statement.where(status_condition(query.status, query.now))
    key: Any = {
        "created": Application.created_at,
        "updated": Application.updated_at,
        "reference": Application.reference,
        "status": Application.status,
        "service": Service.process_id,
    }.get(query.sort, Application.created_at)
    order = [key.desc(), Application.id.desc()] if query.descending else [key.asc(), Application.id.asc()]
    return statement.order_by(*order)


def _row(values: Sequence[Any]) -> CaseRow:
    return CaseRow(
        id=values[0],
        reference=values[1],
        status=values[2],
        service_id=values[3],
        service_title=values[4],
        version=values[5],
        organisation=values[6] or "",
        applicant=values[7] or "",
        created_at=values[8],
        submitted_at=values[9],
        updated_at=values[10],
        closed_at=values[11],
    )


def find_page(db: Session, query: CaseQuery, *, offset: int, limit: int) -> list[CaseRow]:
    rows = db.execute(_rows_statement(query).offset(offset).limit(limit)).all()
    return [_row(tuple(r)) for r in rows]


def find_all(db: Session, query: CaseQuery, *, batch: int = 1000) -> Iterator[CaseRow]:
    """Every found case (up to EXPORT_LIMIT), read in batches so an export does not hold them all at once."""
    for offset in range(0, EXPORT_LIMIT, batch):
        rows = find_page(db, query, offset=offset, limit=batch)
        yield from rows
        if len(rows) < batch:
            return


def open_tasks_of(db: Session, application_ids: Sequence[int]) -> dict[int, list[OpenTaskRow]]:
    """The open tasks of the listed cases with the holder's username: one statement for a page of cases."""
    if not application_ids:
        return {}
    holder = aliased(User)
    rows = db.execute(
        select(
            HumanTask.application_id,
            HumanTask.element_id,
            HumanTask.title,
            holder.username,
            HumanTask.due_at,
            HumanTask.for_applicant,
        )
        .outerjoin(holder, HumanTask.assignee_id == holder.id)
        .where(HumanTask.application_id.in_(list(application_ids)), HumanTask.status == TaskStatus.OPEN.value)
        .order_by(HumanTask.created_at)
    ).all()
    found: dict[int, list[OpenTaskRow]] = {}
    for application_id, element_id, title, username, due_at, for_applicant in rows:
        found.setdefault(application_id, []).append(
            OpenTaskRow(application_id, element_id, title, username or "", due_at, bool(for_applicant))
        )
    return found


def step_choices(db: Session, visible_to: frozenset[int] | None) -> list[tuple[str, str]]:
    """(element id, title) of the steps open in some case now: what the "current step" filter offers."""
    statement = select(HumanTask.element_id, func.min(HumanTask.title)).where(HumanTask.status == TaskStatus.OPEN.value)
    if visible_to is not None:
        statement = statement.where(
            or_(HumanTask.organisation_id.in_(list(visible_to)), HumanTask.organisation_id.is_(None))
        )
    rows = db.execute(statement.group_by(HumanTask.element_id).order_by(func.min(HumanTask.title))).all()
    return [(element_id, title) for element_id, title in rows]
