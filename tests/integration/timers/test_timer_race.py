"""Two workers racing on PostgreSQL fire a due timer exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from engine.clock import FakeClock
from engine.services.context import Platform
from engine.worker import run_once

from .conftest import START, ActorOf, application, apply, audit_actions, open_tasks


@pytest.mark.postgres
def test_two_workers_fire_a_due_timer_once(platform: Platform, clock: FakeClock, actor_of: ActorOf) -> None:
    references = [
        apply(platform, actor_of("citizen"), "timer_wait", {"days": "1", "until": "2026-12-29T12:00:00+02:00"})
        for _ in range(3)
    ]
    clock.set(START + timedelta(days=1, hours=4))  # past both `wait_days` and `wait_until`; not 2027 yet
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            start.wait()
            for _ in range(3):
                run_once(platform, worker_id=name)
        except BaseException as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for reference in references:
        fired = [e.element_id for e in audit_actions(platform, reference, "timer.fired")]
        assert sorted(fired) == ["wait_days", "wait_until"]
        assert application(platform, reference).status == "active"
        assert open_tasks(platform, reference) == []
