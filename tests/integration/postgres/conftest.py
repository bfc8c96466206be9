"""PostgreSQL-only helpers: people, submitted applications, and running two requests at the same moment."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.authoring.scenarios import load_scenarios, run_scenario
from engine.services.cases.applications import get_application
from engine.services.cases.views import ApplicationView
from engine.services.context import Actor, Platform

from ..conftest import ActorOf as ActorOf

T = TypeVar("T")


def submit(platform: Platform, applicant: Actor, service_id: str) -> ApplicationView:
    """Start an application and complete its start form with the first scenario's answers."""
    scenario = load_scenarios(PROJECT_ROOT / "processes" / service_id)[0]
    first = dataclasses.replace(scenario, steps=scenario.steps[:1])
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(db, platform, first, actors={"applicant": applicant, "official": applicant})
        assert result.status == "active", result
        return get_application(db, applicant, result.reference)


def at_once(*calls: Callable[[], T]) -> list[T | BaseException]:
    """Run each call in its own thread, released together by a barrier; returns results or raised errors."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], T]) -> None:
        barrier.wait(timeout=10)
        try:
            outcomes[index] = call()
        except BaseException as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a request hung"
    return outcomes
