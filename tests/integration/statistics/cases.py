"""Completed cases with known times and outcomes, made through the real engine with the platform's fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.calendar import add_working_days
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.admin.accounts import actor_of
from engine.services.authoring.scenarios import Scenario, load_scenario
from engine.services.context import Actor, Platform
from engine.services.ratings import rate_case
from engine.services.statistics.demo import run_case
from engine.store import directory

#: Monday 2 November 2026, 09:00 in Kyiv (no public holiday that month).
MONDAY = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)


def scenario(service: str, name: str) -> Scenario:
    return load_scenario(PROJECT_ROOT / "processes" / service / "scenarios" / f"{name}.json", service)


def person(platform: Platform, username: str) -> Actor:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, username)
        assert user is not None
        return actor_of(db, user)


def decided_case(
    platform: Platform,
    clock: FakeClock,
    *,
    submitted_at: datetime,
    working_days: int,
    service: str = "family_composition_certificate",
    name: str = "issued",
    applicant: str = "citizen",
) -> str:
    """A case submitted at `submitted_at` and decided `working_days` working days later (16:00 Kyiv that day)."""
    clock.set(submitted_at)
    decided_at = add_working_days(submitted_at, working_days) - timedelta(hours=2)
    people = (person(platform, applicant), person(platform, "official"))
    return run_case(platform, clock, scenario(service, name), people, decided_at=decided_at)


def rate(platform: Platform, reference: str, score: int, *, applicant: str = "citizen") -> None:
    with unit_of_work(platform.write_sessions) as db:
        rate_case(db, platform, person(platform, applicant), reference, score=score, comment="")
