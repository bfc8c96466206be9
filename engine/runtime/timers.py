"""BPMN timers on the platform's clock: quoting ISO literals, the next due time, and firing.

SpiffWorkflow evaluates a timer's body as a Python expression and compares its due time with
`datetime.now(timezone.utc)` read from its own module. Analysts write plain ISO 8601 (`P3D`), so literals
are quoted before the engine parses the diagram, and the engine's `datetime` is replaced by one that asks
the clock of the current context (`engine_clock`), so tests and `posluhy simulate` move time instead of
sleeping. Naive timer dates are read in Kyiv time, not in the server's zone.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.xml import BPMN
from engine.calendar import KYIV
from engine.clock import Clock

if TYPE_CHECKING:
    from engine.runtime.cases import Case, StepResult

TIMER_VALUE_TAGS = ("timeDuration", "timeDate", "timeCycle")
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = rf"P(?:{_NUMBER}[YMWD])*(?:T(?:{_NUMBER}[HMS])+)?"
_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_ISO_DURATION = re.compile(rf"^{_DURATION}$")
_ISO_DATE = re.compile(rf"^{_DATE}$")
_ISO_CYCLE = re.compile(rf"^R\d*/(?:{_DURATION}|{_DATE})(?:/(?:{_DURATION}|{_DATE}))?$")
MAX_FIRING_ROUNDS = 50

_current_clock: ContextVar[Clock | None] = ContextVar("posluhy_engine_clock", default=None)


class _ClockedDatetime(datetime):
    """The engine's `datetime`: `now()` comes from the clock of the current context, if one is set."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockedDatetime:
        clock = _current_clock.get()
        moment = clock.now() if clock is not None else datetime.now(UTC)
        local = moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)
        return cls.combine(local.date(), local.time(), local.tzinfo)


def _install() -> None:
    _timer_module.datetime = _ClockedDatetime
    _timer_module.LOCALTZ = KYIV


_install()


@contextmanager
def engine_clock(clock: Clock | None) -> Iterator[None]:
    """Timers evaluated inside this block see `clock`; None keeps the system clock."""
    token = _current_clock.set(clock)
    try:
        yield
    finally:
        _current_clock.reset(token)


# -- diagrams --------------------------------------------------------------------------------------


def is_iso_literal(text: str) -> bool:
    """An unquoted ISO 8601 duration, date-time or repeating interval (what analysts write)."""
    value = text.strip()
    if _ISO_DURATION.match(value):
        return len(value) > 1 and not value.endswith("T")
    return bool(_ISO_DATE.match(value) or _ISO_CYCLE.match(value))


def quote_timer_literals(tree: etree._ElementTree) -> etree._ElementTree:
    """A copy of the diagram where every plain ISO timer value is a Python string literal."""
    copied = copy.deepcopy(tree)
    for tag in TIMER_VALUE_TAGS:
        for element in copied.getroot().iter(BPMN + tag):
            text = (element.text or "").strip()
            if text and is_iso_literal(text):
                element.text = repr(text)
    return copied


def literal_problem(kind: str, value: str) -> str | None:
    """Why an ISO literal cannot work as this kind of timer, or None when the engine accepts it."""
    try:
        if kind == "timeDuration":
            parse_duration(value)
        elif kind == "timeDate":
            moment = TimerEventDefinition.parse_time_or_duration(value)
            if not isinstance(moment, datetime):
                return f"{value!r} is a duration, not a date: use timeDuration"
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception as exc:  # the engine raises bare Exception, ValueError or AttributeError here
        return f"{value!r} is not a valid ISO 8601 {_KIND_NAMES.get(kind, kind)}: {exc}"
    return None


_KIND_NAMES = {"timeDuration": "duration", "timeDate": "date", "timeCycle": "repeating interval"}


def timer_value_problem(kind: str, source: str, compile_check: Callable[[str], str | None]) -> str | None:
    """What is wrong with a timer's value (`kind` is timeDuration, timeDate or timeCycle), or None.

    Plain ISO 8601 and quoted ISO strings are checked as the engine will read them; anything else must
    compile as a Python expression (`compile_check` returns the compiler's complaint or None).
    """
    if not source:
        return "timer has no value: write timeDuration (P3D), timeDate or timeCycle (R3/PT1H)"
    if "${" in source or "#{" in source:
        return f"timer {kind} {source!r} is JUEL; write ISO 8601 (P3D) or a Python expression"
    literal = source if is_iso_literal(source) else _string_literal(source)
    if literal is not None:
        return (
            None
            if literal_problem(kind, literal) is None
            else f"timer {kind} {literal!r} is not a valid ISO 8601 value"
        )
    message = compile_check(source)
    if message is not None:
        return f"timer {kind} {source!r} is neither ISO 8601 nor a Python expression: {message}"
    return None


def _string_literal(source: str) -> str | None:
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def parse_duration(text: str) -> dict[str, float]:
    """An ISO 8601 duration as the engine reads it: {"years", "months", "weeks", "days", "hours", ...}."""
    try:
        parsed: dict[str, float] = TimerEventDefinition.parse_iso_duration(text)
    except Exception as exc:  # the engine raises a bare Exception
        raise ValueError(f"{text!r} is not an ISO 8601 duration") from exc
    if not parsed:
        raise ValueError(f"{text!r} is an empty duration")
    return parsed


def add_months(moment: datetime, years: float, months: float) -> datetime:
    """Calendar months and years after `moment`, the way the engine counts them for timers."""
    delta: timedelta = TimerEventDefinition.get_timedelta_from_start({"years": years, "months": months}, moment)
    return moment + delta


# -- running cases ---------------------------------------------------------------------------------


def _waiting_timer_tasks(workflow: Any) -> list[Any]:
    return _timer_tasks(workflow, TaskState.WAITING)


def _due_of(task: Any) -> datetime | None:
    definition = task.task_spec.event_definition
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        if not isinstance(value, dict) or value.get("cycles") == 0:
            return None
        value = value["next"]
    try:
        moment: datetime = TimerEventDefinition.get_datetime(str(value))
    except ValueError:
        return None
    return moment.astimezone(UTC)


def next_due(workflow: Any) -> datetime | None:
    """The earliest moment a timer this case waits for becomes due (stored as `application.next_timer_at`)."""
    dues = [due for task in _waiting_timer_tasks(workflow) if (due := _due_of(task)) is not None]
    return min(dues) if dues else None


def fire_due(case: Case) -> tuple[StepResult, list[str]]:
    """Fire every timer due at the case clock's now and run what follows (timers reached and already due on
    the way fire too); returns the run's result and the element ids of the timers that fired, in order."""
    workflow = case.workflow
    with engine_clock(case.clock):
        done_before = {task.id for task in _timer_tasks(workflow, TaskState.COMPLETED)}
        cycles = {task.id: _cycle_next(task) for task in _waiting_timer_tasks(workflow)}
        workflow.refresh_timers()
        result = case.advance()
        for _ in range(MAX_FIRING_ROUNDS):
            if result.failed or not _ready_automatic(workflow):
                break
            result = case.advance()
        repeated = [
            task
            for task in _waiting_timer_tasks(workflow)
            if task.id in cycles and cycles[task.id] is not None and _cycle_next(task) != cycles[task.id]
        ]
        finished = [t for t in _timer_tasks(workflow, TaskState.COMPLETED) if t.id not in done_before]
    ordered = sorted([*repeated, *finished], key=lambda t: t.last_state_change)
    return result, [str(task.task_spec.bpmn_id) for task in ordered]


def _timer_tasks(workflow: Any, state: TaskState) -> list[Any]:
    return [
        task
        for task in workflow.get_tasks(state=state)
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
    ]


def _cycle_next(task: Any) -> Any:
    value = task._get_internal_data("event_value")
    return value.get("next") if isinstance(value, dict) else None


def _ready_automatic(workflow: Any) -> bool:
    return any(not task.task_spec.manual for task in workflow.get_tasks(state=TaskState.READY))


class _FixedClock:
    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


def fire_all_timers(case: Case, *, max_rounds: int = 1) -> list[str]:
    """Fire, right now, every timer the case is waiting for (as if time moved past the latest due time);
    for `posluhy simulate`. Returns the element ids of the timers that fired, in firing order."""
    fired: list[str] = []
    for _ in range(max_rounds):
        dues = [due for task in _waiting_timer_tasks(case.workflow) if (due := _due_of(task)) is not None]
        if not dues:
            break
        saved = case.clock
        case.clock = _FixedClock(max(dues) + timedelta(seconds=1))
        try:
            result, round_fired = fire_due(case)
        finally:
            case.clock = saved
        fired.extend(round_fired)
        if result.failed or not round_fired:
            break
    return fired
