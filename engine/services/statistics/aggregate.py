"""Counting days into the statistics tables: the worker recounts yesterday and today (and the decision days of
cases rated since yesterday) every quarter of an hour; `posluhy statistics rebuild` recounts any range.

A day is a Kyiv calendar day. A case counts as received on the day it was submitted and as decided (with its
processing time in working days, its outcome and its rating) on the day it was completed. Recounting a day
rewrites its rows whole, so it is idempotent; the job's dedupe key lets one worker do it per quarter hour.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from sqlalchemy.orm import Session

from engine.calendar import KYIV, WorkCalendar
from engine.models import Job
from engine.services.background.jobs import JobKind, enqueue_job
from engine.services.context import Platform
from engine.store import calendar as calendar_store
from engine.store import statistics

MAX_WORKING_DAYS: Final = 365
"""The histogram's last bucket: a case of more working days than this counts as this many."""
PERIOD_MINUTES: Final = 15

Key = tuple[int, str]


def kyiv_day(moment: datetime) -> date:
    return moment.astimezone(KYIV).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments at which a Kyiv day starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=KYIV)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=KYIV)
    return start.astimezone(UTC), end.astimezone(UTC)


def count_day(db: Session, day: date, work_calendar: WorkCalendar) -> int:
    """Recount one day; returns how many cases it received and decided together."""
    start, end = day_bounds(day)
    rows: dict[Key, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(
            (
                "received",
                "decided",
                "decided_with_deadline",
                "decided_within_deadline",
                "rating_count",
                "rating_sum",
            ),
            0,
        )
    )
    for organisation_id, process_id, count in statistics.received_on(db, start, end):
        rows[(organisation_id, process_id)]["received"] += count
    outcomes: Counter[tuple[int, str, str]] = Counter()
    names: dict[tuple[int, str, str], str] = {}
    durations: Counter[tuple[int, str, int]] = Counter()
    decided = statistics.decided_on(db, start, end)
    for case in decided:
        key = (case.organisation_id, case.process_id)
        row = rows[key]
        took = min(work_calendar.working_days_between(case.submitted_at, case.closed_at), MAX_WORKING_DAYS)
        row["decided"] += 1
        if case.sla_days is not None:
            row["decided_with_deadline"] += 1
            row["decided_within_deadline"] += int(took <= case.sla_days)
        if case.score is not None:
            row["rating_count"] += 1
            row["rating_sum"] += case.score
        outcomes[(*key, case.outcome)] += 1
        names[(*key, case.outcome)] = case.outcome_name
        durations[(*key, took)] += 1
    statistics.replace_day(
        db,
        day,
        days=[{"organisation_id": o, "process_id": p, **values} for (o, p), values in sorted(rows.items())],
        outcomes=[
            {
                "organisation_id": o,
                "process_id": p,
                "outcome": outcome,
                "outcome_name": names[(o, p, outcome)][:500],
                "cases": n,
            }
            for (o, p, outcome), n in sorted(outcomes.items())
        ],
        durations=[
            {"organisation_id": o, "process_id": p, "working_days": days, "cases": n}
            for (o, p, days), n in sorted(durations.items())
        ],
    )
    return sum(r["received"] for r in rows.values()) + len(decided)


def recent_days(db: Session, platform: Platform) -> list[date]:
    """Yesterday, today, and the decision days of the cases rated or re-rated since yesterday began."""
    today = kyiv_day(platform.clock.now())
    yesterday = today - timedelta(days=1)
    since, _ = day_bounds(yesterday)
    rated = {kyiv_day(moment) for moment in statistics.decision_moments_rated_since(db, since)}
    return sorted({yesterday, today, *rated})


def count_recent(db: Session, platform: Platform) -> list[date]:
    work_calendar = calendar_store.load_calendar(db)
    days = recent_days(db, platform)
    for day in days:
        count_day(db, day, work_calendar)
    return days


def count_range(db: Session, first: date, last: date) -> int:
    """Recount every day from `first` to `last` (inclusive) in the caller's transaction; returns the days."""
    work_calendar = calendar_store.load_calendar(db)
    day, counted = first, 0
    while day <= last:
        count_day(db, day, work_calendar)
        day += timedelta(days=1)
        counted += 1
    return counted


def first_day(db: Session) -> date | None:
    """The day the first application was submitted (where a full rebuild starts)."""
    found = statistics.first_submission(db)
    return kyiv_day(found) if found else None


def schedule_statistics(db: Session, platform: Platform) -> Job | None:
    """Queue the recount once per quarter hour, whatever the number of workers (a dedupe key per quarter)."""
    now = platform.clock.now().astimezone(KYIV)
    quarter = now.replace(minute=now.minute - now.minute % PERIOD_MINUTES, second=0, microsecond=0)
    return enqueue_job(
        db,
        platform,
        kind=JobKind.STATISTICS,
        payload={"at": quarter.isoformat()},
        dedupe_key=f"statistics:{quarter.strftime('%Y-%m-%dT%H:%M')}",
        fetch=False,
    )


def statistics_job(db: Session, platform: Platform, _job: Job) -> None:
    count_recent(db, platform)
