"""The daily statistics: counting one day's cases (the worker) and summing the stored days (pages and API).

Only the worker's `*_on` queries read applications, each bounded to one day by an indexed column; every read for
a page or the API goes to the statistics tables alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from engine.models import (
    Application,
    ApplicationStatus,
    CaseRating,
    Service,
    ServiceVersion,
    StatisticsDay,
    StatisticsDurationDay,
    StatisticsOutcomeDay,
)

TABLES = (StatisticsDay, StatisticsOutcomeDay, StatisticsDurationDay)


@dataclass(frozen=True)
class DecidedCase:
    organisation_id: int
    process_id: str
    submitted_at: datetime
    closed_at: datetime
    sla_days: int | None
    outcome: str
    outcome_name: str
    score: int | None


def received_on(db: Session, start: datetime, end: datetime) -> list[tuple[int, str, int]]:
    """(organisation id or 0, process id, count) of the applications submitted in [start, end)."""
    rows = db.execute(
        select(Application.organisation_id, Service.process_id, func.count(Application.id))
        .join(ServiceVersion, Application.service_version_id == ServiceVersion.id)
        .join(Service, ServiceVersion.service_id == Service.id)
        .where(Application.submitted_at >= start, Application.submitted_at < end)
        .group_by(Application.organisation_id, Service.process_id)
    ).all()
    return [(organisation_id or 0, process_id, int(count)) for organisation_id, process_id, count in rows]


def decided_on(db: Session, start: datetime, end: datetime) -> list[DecidedCase]:
    """The cases completed in [start, end), with what the day's figures need (no personal data)."""
    rows = db.execute(
        select(
            Application.organisation_id,
            Service.process_id,
            Application.submitted_at,
            Application.created_at,
            Application.closed_at,
            ServiceVersion.sla_days,
            Application.outcome,
            Application.outcome_name,
            CaseRating.score,
        )
        .join(ServiceVersion, Application.service_version_id == ServiceVersion.id)
        .join(Service, ServiceVersion.service_id == Service.id)
        .outerjoin(CaseRating, CaseRating.application_id == Application.id)
        .where(
            Application.closed_at >= start,
            Application.closed_at < end,
            Application.status == ApplicationStatus.COMPLETED.value,
        )
    ).all()
    return [_decided(row) for row in rows]


def _decided(row: Any) -> DecidedCase:
    organisation_id, process_id, submitted, created, closed, sla_days, outcome, outcome_name, score = row
    return DecidedCase(
        organisation_id=organisation_id or 0,
        process_id=process_id,
        submitted_at=submitted or created,
        closed_at=closed,
        sla_days=sla_days,
        outcome=outcome or "",
        outcome_name=outcome_name or outcome or "",
        score=score,
    )


def decision_moments_rated_since(db: Session, since: datetime) -> list[datetime]:
    """When the cases rated (or re-rated) since `since` were decided: their days need counting again."""
    rows = db.scalars(
        select(Application.closed_at)
        .join(CaseRating, CaseRating.application_id == Application.id)
        .where(CaseRating.updated_at >= since, Application.closed_at.is_not(None))
        .distinct()
    )
    return [moment for moment in rows if moment is not None]


def first_submission(db: Session) -> datetime | None:
    return db.scalar(select(func.min(Application.submitted_at)))


def replace_day(
    db: Session,
    day: date,
    *,
    days: Sequence[dict[str, Any]],
    outcomes: Sequence[dict[str, Any]],
    durations: Sequence[dict[str, Any]],
) -> None:
    """The day's rows, rewritten whole (idempotent: counting a day twice stores the same rows)."""
    for table in TABLES:
        db.execute(delete(table).where(table.day == day))
    for table, rows in ((StatisticsDay, days), (StatisticsOutcomeDay, outcomes), (StatisticsDurationDay, durations)):
        if rows:
            db.execute(insert(table), [{"day": day, **row} for row in rows])


# --- Reading the stored days ------------------------------------------------------------------------------------


def _where(table: Any, start: date, end: date, organisation_ids: Iterable[int] | None, process_id: str | None) -> Any:
    conditions = [table.day >= start, table.day <= end]
    if organisation_ids is not None:
        conditions.append(table.organisation_id.in_(sorted(set(organisation_ids))))
    if process_id is not None:
        conditions.append(table.process_id == process_id)
    return conditions


def sums(
    db: Session, start: date, end: date, organisation_ids: Iterable[int] | None, process_id: str | None
) -> list[tuple[int, str, int, int, int, int, int, int]]:
    """Per (organisation, service): received, decided, with deadline, within deadline, rating count, rating sum."""
    t = StatisticsDay
    ids = None if organisation_ids is None else list(organisation_ids)
    rows = db.execute(
        select(
            t.organisation_id,
            t.process_id,
            func.sum(t.received),
            func.sum(t.decided),
            func.sum(t.decided_with_deadline),
            func.sum(t.decided_within_deadline),
            func.sum(t.rating_count),
            func.sum(t.rating_sum),
        )
        .where(*_where(t, start, end, ids, process_id))
        .group_by(t.organisation_id, t.process_id)
    ).all()
    return [(o, p, *(int(v or 0) for v in values)) for o, p, *values in rows]  # type: ignore[misc]


def daily(
    db: Session, start: date, end: date, organisation_ids: Iterable[int] | None, process_id: str | None
) -> list[tuple[date, int, int]]:
    """(day, received, decided) over the selection, by day (the pages sum them into months)."""
    t = StatisticsDay
    ids = None if organisation_ids is None else list(organisation_ids)
    rows = db.execute(
        select(t.day, func.sum(t.received), func.sum(t.decided))
        .where(*_where(t, start, end, ids, process_id))
        .group_by(t.day)
        .order_by(t.day)
    ).all()
    return [(day, int(received or 0), int(decided or 0)) for day, received, decided in rows]


def outcome_sums(
    db: Session, start: date, end: date, organisation_ids: Iterable[int] | None, process_id: str | None
) -> list[tuple[int, str, str, str, int]]:
    """(organisation, service, outcome, a name of it, cases)."""
    t = StatisticsOutcomeDay
    ids = None if organisation_ids is None else list(organisation_ids)
    rows = db.execute(
        select(t.organisation_id, t.process_id, t.outcome, func.max(t.outcome_name), func.sum(t.cases))
        .where(*_where(t, start, end, ids, process_id))
        .group_by(t.organisation_id, t.process_id, t.outcome)
    ).all()
    return [(o, p, outcome, name or outcome, int(cases or 0)) for o, p, outcome, name, cases in rows]


def duration_sums(
    db: Session, start: date, end: date, organisation_ids: Iterable[int] | None, process_id: str | None
) -> list[tuple[int, str, int, int]]:
    """(organisation, service, working days, cases): the summed histogram."""
    t = StatisticsDurationDay
    ids = None if organisation_ids is None else list(organisation_ids)
    rows = db.execute(
        select(t.organisation_id, t.process_id, t.working_days, func.sum(t.cases))
        .where(*_where(t, start, end, ids, process_id))
        .group_by(t.organisation_id, t.process_id, t.working_days)
    ).all()
    return [(o, p, days, int(cases or 0)) for o, p, days, cases in rows]


def service_titles(db: Session) -> dict[str, tuple[str, str]]:
    """Process id → (title, English title) of each service's current version."""
    rows = db.execute(
        select(Service.process_id, ServiceVersion.title, ServiceVersion.title_en).join(
            ServiceVersion, Service.current_version_id == ServiceVersion.id
        )
    ).all()
    return {process_id: (title, title_en or "") for process_id, title, title_en in rows}
