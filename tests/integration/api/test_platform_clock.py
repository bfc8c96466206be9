"""Time comes from the platform's clock: a whole journey, its mail and the worker write no wall-clock moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import Base, Integration
from engine.models.base import UTCDateTime
from engine.services.admin.calendar import set_calendar_day
from engine.services.context import Platform
from engine.worker import run_once

from ..conftest import ActorOf

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _moments(platform: Platform) -> dict[str, list[datetime]]:
    """Every timestamp stored in every table, by "table.column"."""
    found: dict[str, list[datetime]] = {}
    with unit_of_work(platform.read_sessions) as db:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, UTCDateTime):
                    values = [v for v in db.execute(select(column)).scalars() if v is not None]
                    if values:
                        found[f"{table.name}.{column.name}"] = values
    return found


def test_a_journey_and_the_worker_take_every_moment_from_the_platform_clock(
    platform: Platform, api: Any, steps: list[dict[str, Any]], task_named: Any, actor_of: ActorOf
) -> None:
    before = _moments(platform)  # what the set-up wrote (demo users, deployed services) before the clock was set
    clock = FakeClock(START)
    platform.clock = clock
    citizen, cnap = api("citizen"), api("lubny.cnap")
    admin = actor_of("admin")
    reference = citizen.submit(steps)["reference"]
    clock.advance(timedelta(hours=2))
    queued = cnap.queue_task(reference, "review_application")
    assert cnap.post(f"/tasks/{queued['id']}/claim").status_code == 200
    assert cnap.complete(queued["id"], steps[1]["data"]).status_code == 200
    with unit_of_work(platform.write_sessions) as db:  # administration writes rows of its own
        set_calendar_day(db, platform, admin, day=date(2025, 3, 10), kind="day_off", note="тест")
        db.add(Integration(name="registry", token_digest="0" * 64))  # a row relying on the column defaults
    clock.advance(timedelta(hours=1))
    assert run_once(platform) > 0  # the received and corrections mails are delivered

    moments = _moments(platform)
    assert {"audit_event.at", "application.created_at", "human_task.created_at", "job.created_at"} <= set(moments)
    assert {"calendar_day.updated_at", "integration.created_at"} <= set(moments)
    off_clock = {
        name: [
            m for m in values if m not in before.get(name, []) and not START <= m <= clock.now() + timedelta(days=365)
        ]  # deadlines and expiries lie ahead
        for name, values in moments.items()
    }
    assert {name: values for name, values in off_clock.items() if values} == {}
