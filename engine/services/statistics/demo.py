"""Demo cases for `make run`: completed applications over the past months, with ratings, so /statistics shows
something. Made through the real engine (start, every step of a service's scenario, the rating) with the
platform's clock set back to each moment, then counted into the statistics tables as the worker would.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.calendar import KYIV
from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.services.admin.accounts import actor_of
from engine.services.authoring.scenarios import FILE_PREFIX, Scenario, load_scenarios
from engine.services.cases.applications import get_application, start_application
from engine.services.cases.attachments import store_upload
from engine.services.cases.steps import complete_task
from engine.services.context import Actor, Platform
from engine.services.ratings import rate_case
from engine.services.statistics.aggregate import count_range, first_day, kyiv_day
from engine.store import calendar as calendar_store
from engine.store import directory

DEMO_SERVICES = (
    "family_composition_certificate",
    "residence_registration",
    "outdoor_advertising_permit",
    "housing_subsidy",
    "land_allotment_permit",
)
APPLICANTS = ("citizen", "citizen2")
SCORES = (5, 5, 5, 4, 4, 4, 3, 2, 1)


@dataclass(frozen=True)
class DemoCasesReport:
    created: int
    rated: int
    days_counted: int


def has_cases(db: Session) -> bool:
    return first_day(db) is not None


def create_demo_cases(platform: Platform, *, count: int = 150, months: int = 6, seed: int = 10) -> DemoCasesReport:
    """`count` completed cases spread over the last `months` months (nothing when applications exist already)."""
    with unit_of_work(platform.read_sessions) as db:
        if has_cases(db):
            return DemoCasesReport(0, 0, 0)
        actors = {name: _actor(db, name) for name in (*APPLICANTS, "official")}
        work_calendar = calendar_store.load_calendar(db)
    scenarios = [s for service in DEMO_SERVICES for s in _completed_scenarios(platform, service)]
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    real_clock = platform.clock
    now = real_clock.now()
    start = now - timedelta(days=30 * months)
    created = rated = 0
    try:
        for number in range(count):
            moment = _working_moment(start + (now - start) * (number / count), rng)
            scenario = rng.choice(scenarios)
            applicant = actors[rng.choice(APPLICANTS)]
            clock = FakeClock(moment)
            platform.clock = clock
            took = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12, 20))
            decided_at = work_calendar.add_working_days(moment, took) - timedelta(hours=rng.randint(1, 7))
            if decided_at >= now:
                continue
            decided_at = max(decided_at, moment + timedelta(hours=1))
            people = (applicant, actors["official"])
            reference = run_case(platform, clock, scenario, people, decided_at=decided_at)
            created += 1
            if rng.random() < 0.7:
                clock.set(decided_at + timedelta(hours=rng.randint(1, 72)))
                if clock.now() < now:
                    with unit_of_work(platform.write_sessions) as db:
                        rate_case(db, platform, applicant, reference, score=rng.choice(SCORES), comment="")
                    rated += 1
    finally:
        platform.clock = real_clock
    with unit_of_work(platform.write_sessions) as db:
        days = count_range(db, kyiv_day(start), kyiv_day(now))
    return DemoCasesReport(created, rated, days)


def _actor(db: Session, username: str) -> Actor:
    user = directory.find_user(db, username)
    if user is None:
        raise LookupError(f"demo user {username!r} is missing: run `posluhy demo` first")
    return actor_of(db, user)


def _completed_scenarios(platform: Platform, service: str) -> list[Scenario]:
    folder = platform.settings.processes_dir / service
    return [s for s in load_scenarios(folder) if s.status == "completed"] if folder.is_dir() else []


def _working_moment(moment: datetime, rng: random.Random) -> datetime:
    """A moment of the same Kyiv day between 09:00 and 16:00, moved to Monday from a weekend."""
    day = moment.astimezone(KYIV).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(9 + rng.randint(0, 6), rng.randint(0, 59)), tzinfo=KYIV)


def run_case(
    platform: Platform, clock: FakeClock, scenario: Scenario, people: tuple[Actor, Actor], *, decided_at: datetime
) -> str:
    """A scenario's steps, as (applicant, official): the first at the clock's now, the last at `decided_at`, others
    evenly between; `clock` is the platform's, moved along. Returns the reference number."""
    sessions = platform.write_sessions
    applicant, official = people
    first = clock.now()
    steps = scenario.steps
    with unit_of_work(sessions) as db:
        reference = start_application(db, platform, applicant, scenario.service_id).reference
    for number, step in enumerate(steps, start=1):
        if number > 1:
            clock.set(first + (decided_at - first) * ((number - 1) / (len(steps) - 1)))
        actor = applicant if step.actor == "applicant" else official
        with unit_of_work(sessions) as db:
            view = get_application(db, applicant, reference)
            task_id = next(t.id for t in view.open_steps if t.element_id == step.task)
            data = {name: _uploaded(db, platform, actor, value) for name, value in step.data.items()}
            complete_task(db, platform, actor, task_id, data)
    return reference


def _uploaded(db: Session, platform: Platform, actor: Actor, value: Any) -> Any:
    """A scenario's "@file:name" as a small uploaded file's id; any other value as it is."""
    if not isinstance(value, str) or not value.startswith(FILE_PREFIX):
        return value
    stored = store_upload(
        db,
        actor,
        upload_dir=platform.settings.upload_dir,
        limit=platform.settings.max_upload_bytes,
        filename=value.removeprefix(FILE_PREFIX) or "file.pdf",
        content_type="application/pdf",
        stream=io.BytesIO(b"%PDF-1.4 demo file\n%%EOF\n"),
    )
    return stored.id
