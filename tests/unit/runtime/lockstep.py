"""One case run twice side by side — pruned before every save (the platform) and saved whole (the engine's own
behaviour) — with what a user can see compared after every step: open steps, their data, the case's data, the
outcome, failures and the next timer. Both runs are saved and restored after every step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.clock import FakeClock
from engine.runtime.cases import Case, StepResult
from engine.runtime.sandbox import create_script_engine
from engine.runtime.timers import fire_due

from ...fixtures.loops.driver import SteppedCase

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Action = Callable[[Case], StepResult]


@dataclass(frozen=True)
class Seen:
    """What the next request sees of a case, and what the step that led there returned."""

    result: tuple[bool, str | None, str | None, str | None]
    open_steps: tuple[str, ...]
    data_at_open: tuple[dict[str, Any], ...]
    data: dict[str, Any]
    completed: bool
    end_event: str | None
    failed_steps: tuple[str, ...]
    next_timer: datetime | None


def seen(case: Case, result: StepResult) -> Seen:
    steps = case.open_steps()
    completed = case.is_completed()
    return Seen(
        result=(result.completed, result.end_event, result.error_element, result.error_message),
        open_steps=tuple(s.element_id for s in steps),
        data_at_open=tuple({} if s.is_start else case.data_at(s.task_id) for s in steps),
        data=case.current_data(),
        completed=completed,
        end_event=case.end_event() if completed else None,
        failed_steps=tuple(case.error_tasks()),
        next_timer=case.next_timer_at(),
    )


class Lockstep:
    """With `compare=False` only the pruned case runs (for long runs: the whole tree grows quadratically)."""

    def __init__(self, spec_json: str, script_engine: Any | None = None, *, compare: bool = True) -> None:
        engine = script_engine or create_script_engine()
        self.pruned = SteppedCase(spec_json, engine, prune=True, clock=FakeClock(START))
        self.whole = SteppedCase(spec_json, engine, prune=False, clock=FakeClock(START))
        self.pruned_seen: list[Seen] = []
        self.whole_seen: list[Seen] = []
        self.whole_states: list[str] = []  # the whole tree as stored after every step
        self.runs = [(self.pruned, self.pruned_seen)] + ([(self.whole, self.whole_seen)] if compare else [])

    def act(self, action: Action) -> StepResult:
        """Run `action` on both cases (each loaded from its stored state, then saved); returns the pruned result."""
        results = []
        for stepped, log in self.runs:
            result = stepped.act(action)
            log.append(seen(stepped.load(), result))
            results.append(result)
        if len(self.runs) > 1:
            self.whole_states.append(self.whole.state)
        return results[0]

    def complete(self, element_id: str, data: dict[str, Any]) -> StepResult:
        return self.act(complete_step(element_id, data))

    def wait(self, delta: timedelta) -> StepResult:
        """Let time pass on both clocks and fire whatever became due."""
        for stepped, _ in self.runs:
            assert isinstance(stepped.clock, FakeClock)
            stepped.clock.advance(delta)
        return self.act(lambda case: fire_due(case)[0])

    def open_steps(self) -> list[str]:
        return [s.element_id for s in self.pruned.load().open_steps()]


def complete_step(element_id: str, data: dict[str, Any]) -> Action:
    def run(case: Case) -> StepResult:
        step = next((s for s in case.open_steps() if s.element_id == element_id), None)
        assert step is not None, f"{element_id!r} is not open: {[s.element_id for s in case.open_steps()]}"
        return case.complete(step.task_id, data)

    return run
