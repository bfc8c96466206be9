"""What a case waits for (timers with their due time, messages), and moving its timers when it was suspended.

A suspended case's clock stops: on resume every timer it waits for is moved later by the time it was suspended,
so a timer due during the suspension does not fire the moment the case is resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.runtime.cases import Case
from engine.runtime.timers import _due_of, _waiting_timer_tasks


@dataclass(frozen=True)
class WaitingEvent:
    element_id: str
    kind: str
    """"timer" or "message"."""
    name: str
    due_at: datetime | None


def waiting_events(case: Case) -> list[WaitingEvent]:
    """The timers (earliest first) and messages the case waits for now."""
    timers = [
        WaitingEvent(str(t.task_spec.bpmn_id), "timer", str(t.task_spec.bpmn_name or ""), _due_of(t))
        for t in _waiting_timer_tasks(case.workflow)
    ]
    timers.sort(key=lambda w: (w.due_at is None, w.due_at or datetime.min))
    messages = [
        WaitingEvent(str(t.task_spec.bpmn_id), "message", str(t.task_spec.event_definition.name), None)
        for t in case.workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)
    ]
    return [*timers, *messages]


def shift_timers(case: Case, delta: timedelta) -> int:
    """Move every timer the case waits for `delta` later; returns how many moved."""
    moved = 0
    for task in _waiting_timer_tasks(case.workflow):
        due = _due_of(task)
        if due is None:
            continue
        if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
            value = dict(task._get_internal_data("event_value"))
            value["next"] = (due + delta).isoformat()
            task._set_internal_data(event_value=value)
        else:
            task._set_internal_data(event_value=(due + delta).isoformat())
        moved += 1
    return moved


def element_path(case: Case) -> set[str]:
    """Element ids of the steps the case has done (what the diagram marks as the path taken)."""
    return case.done_steps()
