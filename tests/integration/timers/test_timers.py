"""BPMN timers fire when the (fake) clock passes their due time, through the worker's jobs, and only then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.clock import FakeClock
from engine.services.context import Platform
from engine.worker import run_once

from .conftest import START, ActorOf, application, apply, audit_actions, open_tasks


def fired(platform: Platform, reference: str) -> list[str]:
    return [str(e.element_id) for e in audit_actions(platform, reference, "timer.fired")]


def test_intermediate_timers_with_values_from_data_and_a_fixed_date(
    platform: Platform, clock: FakeClock, actor_of: ActorOf
) -> None:
    # "P" + str(days) + "D" from the start form, then `until` (a naive date-time: Kyiv), then 2027-01-01 00:00 +02:00
    reference = apply(platform, actor_of("citizen"), "timer_wait", {"days": "2", "until": "2026-12-31T10:00:00"})
    assert application(platform, reference).next_timer_at == START + timedelta(days=2)

    clock.advance(timedelta(days=1, hours=23))
    run_once(platform, worker_id="w")
    assert fired(platform, reference) == []

    clock.advance(timedelta(hours=1, seconds=1))
    run_once(platform, worker_id="w")
    assert fired(platform, reference) == ["wait_days"]
    assert application(platform, reference).next_timer_at == datetime(2026, 12, 31, 8, 0, tzinfo=UTC)

    clock.set(datetime(2026, 12, 31, 8, 0, 1, tzinfo=UTC))
    run_once(platform, worker_id="w")
    assert fired(platform, reference) == ["wait_days", "wait_until"]
    assert application(platform, reference).next_timer_at == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    assert open_tasks(platform, reference) == []

    clock.set(datetime(2026, 12, 31, 22, 0, 1, tzinfo=UTC))
    run_once(platform, worker_id="w")
    assert fired(platform, reference) == ["wait_days", "wait_until", "wait_fixed"]
    assert [t.element_id for t in open_tasks(platform, reference)] == ["after_wait"]
    assert application(platform, reference).next_timer_at is None


def test_boundary_timers_on_a_user_task(platform: Platform, clock: FakeClock, actor_of: ActorOf) -> None:
    """A non-interrupting R2/PT1H reminder leaves the task open; the interrupting P3D timer cancels it."""
    reference = apply(platform, actor_of("citizen"), "timer_boundary", {"note": "hello"})
    review = open_tasks(platform, reference)
    assert [t.element_id for t in review] == ["review"]

    for hours in (1, 2):
        clock.set(START + timedelta(hours=hours, seconds=1))
        run_once(platform, worker_id="w")
        assert fired(platform, reference) == ["review_reminder"] * hours
        assert [t.id for t in open_tasks(platform, reference)] == [review[0].id]
    assert application(platform, reference).next_timer_at == START + timedelta(days=3)

    clock.set(START + timedelta(days=3) - timedelta(seconds=1))
    run_once(platform, worker_id="w")
    assert application(platform, reference).status == "active"

    clock.set(START + timedelta(days=3, seconds=1))
    run_once(platform, worker_id="w")
    expired = application(platform, reference)
    assert (expired.status, expired.outcome) == ("completed", "end_expired")
    assert expired.next_timer_at is None
    assert open_tasks(platform, reference) == []
    assert fired(platform, reference)[-1] == "review_expired"


def test_completing_the_task_first_cancels_its_timers(platform: Platform, clock: FakeClock, actor_of: ActorOf) -> None:
    from engine.db import unit_of_work
    from engine.services.cases.steps import complete_task

    reference = apply(platform, actor_of("citizen"), "timer_boundary", {"note": "hello"})
    review = open_tasks(platform, reference)[0]
    with unit_of_work(platform.write_sessions) as db:
        complete_task(db, platform, actor_of("lubny.cnap"), review.id, {"decision": "ok"})
    done = application(platform, reference)
    assert (done.status, done.outcome, done.next_timer_at) == ("completed", "end_done", None)
    clock.advance(timedelta(days=5))
    run_once(platform, worker_id="w")
    assert fired(platform, reference) == []
