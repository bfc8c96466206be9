"""Running one case: create, load, complete a human step, save.

Every call that advances a case returns a `StepResult` instead of raising for workflow failures,
so the caller can persist the case in a visible error state rather than show a 500 or stall.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, UserTask
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from engine.clock import Clock
from engine.runtime.pruning import completed_spec_names, prune_workflow
from engine.runtime.specs import SERIALIZER, load_specs
from engine.runtime.timers import engine_clock, next_due

MAX_TASK_DEPTH = 800
"""The last line of defence before the engine's silent stall at depth 1000. Saved cases are pruned flat, so only
one run that loops this many steps without waiting for anybody (automatic steps only) gets here."""
_UNBOUNDED = 10**6


class StepNotOpenError(Exception):
    """The step was already completed, cancelled, or never existed in this case."""


@dataclass(frozen=True)
class OpenStep:
    task_id: str
    element_id: str
    is_start: bool


@dataclass(frozen=True)
class StepResult:
    completed: bool
    end_event: str | None = None
    error_element: str | None = None
    error_message: str | None = None

    @property
    def failed(self) -> bool:
        return self.error_message is not None


class Case:
    """A running workflow plus the platform's rules for it; not thread-safe (callers hold the case lock)."""

    def __init__(self, workflow: BpmnWorkflow, clock: Clock | None = None) -> None:
        self.workflow = workflow
        self.clock = clock  # timers are computed and fired against it (None: the system clock)

    @classmethod
    def new(cls, spec_json: str, script_engine: Any, clock: Clock | None = None) -> Case:
        spec, subprocess_specs = load_specs(spec_json)
        return cls(BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine), clock)

    @classmethod
    def load(cls, spec_json: str, state_json: str, script_engine: Any, clock: Clock | None = None) -> Case:
        state = json.loads(state_json)
        state.update(json.loads(spec_json))
        if state.get(SERIALIZER.VERSION_KEY) != SERIALIZER.VERSION:
            raise ValueError(
                f"case state written by serializer {state.get(SERIALIZER.VERSION_KEY)!r} needs a migration"
            )
        state.pop(SERIALIZER.VERSION_KEY)
        workflow = SERIALIZER.from_dict(state)
        workflow.script_engine = script_engine
        prune_workflow(workflow)  # a no-op for what `dump` saved; flattens a case saved before pruning existed
        return cls(workflow, clock)

    def dump(self) -> str:
        """The state without the spec (stored once elsewhere), as ordered JSON text.

        The task tree is pruned first (`engine.runtime.pruning`), in place: a saved case holds what it needs to go
        on, not every task it ran. Pruning here (and in `load`, for cases saved before pruning existed) rather than
        after each run keeps a run's finished tasks readable until its caller has saved (the timers that fired, the
        element that threw an event).
        """
        prune_workflow(self.workflow)
        state = SERIALIZER.to_dict(self.workflow)
        state.pop("spec", None)
        state.pop("subprocess_specs", None)
        state[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        return json.dumps(state, ensure_ascii=False, default=_json_default)

    # -- reading -----------------------------------------------------------------------------------

    def _pending_start(self) -> Any | None:
        task = self.workflow.get_next_task(state=TaskState.READY, spec_class=BpmnStartTask)
        if task is None or task.workflow is not self.workflow:
            return None
        return task

    def open_steps(self) -> list[OpenStep]:
        start = self._pending_start()
        if start is not None:
            return [OpenStep(str(start.id), _start_event_id(start), is_start=True)]
        return [
            OpenStep(str(task.id), task.task_spec.bpmn_id, is_start=False)
            for task in self.workflow.get_tasks(state=TaskState.READY, manual=True)
            if isinstance(task.task_spec, UserTask) or task.task_spec.manual
        ]

    def data_at(self, task_id: str) -> dict[str, Any]:
        """The process data as the given step sees it (everything answered before it)."""
        return dict(self._task(task_id).data)

    def current_data(self) -> dict[str, Any]:
        if self.workflow.is_completed() and self.workflow.data:
            return dict(self.workflow.data)
        ready = self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.ERROR)
        if ready:
            return dict(ready[0].data)
        last = self.workflow.last_task
        return dict(last.data) if last is not None else {}

    def end_event(self) -> str | None:
        ends = [
            t
            for t in self.workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent)
            if t.workflow is self.workflow
        ]
        if not ends:
            return None
        ends.sort(key=lambda t: t.last_state_change)
        return str(ends[-1].task_spec.bpmn_id)

    def done_steps(self) -> set[str]:
        """Element ids of every step that completed in this case, in the live tree or pruned from it."""
        specs = {self.workflow.spec.name: self.workflow.spec, **self.workflow.subprocess_specs}
        done: set[str] = set()
        for spec_name, names in completed_spec_names(self.workflow).items():
            task_specs = specs[spec_name].task_specs if spec_name in specs else {}
            done.update(
                str(task_specs[name].bpmn_id)
                for name in names
                if name in task_specs and getattr(task_specs[name], "bpmn_id", None)
            )
        return done

    def is_completed(self) -> bool:
        return bool(self.workflow.is_completed())

    def next_timer_at(self) -> datetime | None:
        """When the earliest timer this case waits for is due (None: no timer pending)."""
        return None if self.is_completed() else next_due(self.workflow)

    def waiting_for_nothing(self) -> bool:
        """True when a case is neither finished nor waiting for a person: it would stall silently."""
        if self.is_completed() or self.open_steps():
            return False
        return not self.workflow.get_tasks(state=TaskState.WAITING | TaskState.STARTED)

    def _task(self, task_id: str) -> Any:
        try:
            return self.workflow.get_task_from_id(uuid.UUID(task_id))
        except (TaskNotFoundException, ValueError) as exc:
            raise StepNotOpenError(task_id) from exc

    # -- advancing ---------------------------------------------------------------------------------

    def complete(self, task_id: str, data: dict[str, Any]) -> StepResult:
        if task_id not in {step.task_id for step in self.open_steps()}:
            raise StepNotOpenError(task_id)
        task = self._task(task_id)
        task.set_data(**data)
        try:
            with engine_clock(self.clock):
                task.run()
            return self.advance()
        except SpiffWorkflowException as exc:
            return _failure(exc, task.task_spec.bpmn_id)

    def advance(self) -> StepResult:
        """Run every automatic step, then check what the engine only reports quietly."""
        try:
            with engine_clock(self.clock):
                self.workflow.do_engine_steps()
        except SpiffWorkflowException as exc:
            return _failure(exc, None)
        except Exception as exc:
            return StepResult(completed=False, error_element=None, error_message=f"{type(exc).__name__}: {exc}")
        return self._check_after_run()

    def _check_after_run(self) -> StepResult:
        for event in self.workflow.get_events():
            definition = event.event_definition
            kind = type(definition).__name__.replace("EventDefinition", "")
            code = getattr(definition, "code", None) or getattr(definition, "name", "") or ""
            if kind in ("Error", "Escalation"):
                return StepResult(
                    completed=False,
                    error_element=self._thrower_of(definition),
                    error_message=f"uncaught BPMN {kind.lower()} event {code!r}".strip(),
                )
        deep = self.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK, max_depth=_UNBOUNDED)
        shallow = self.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)
        if len(deep) != len(shallow) or any(t.depth > MAX_TASK_DEPTH for t in deep):
            return StepResult(
                completed=False,
                error_message=f"the case went through more than {MAX_TASK_DEPTH} steps in a loop; "
                "model repetition with a loop marker or cap the rounds",
            )
        if self.waiting_for_nothing():
            stuck = self.workflow.get_tasks(state=TaskState.STARTED)
            element = stuck[0].task_spec.bpmn_id if stuck else None
            return StepResult(completed=False, error_element=element, error_message="the case cannot continue")
        if self.is_completed():
            end_event = self.end_event()
            if end_event is None:
                return StepResult(completed=False, error_message="the case stopped without reaching an end event")
            return StepResult(completed=True, end_event=end_event)
        return StepResult(completed=False)

    def _thrower_of(self, definition: Any) -> str | None:
        """The element that threw an event: the event carries only its definition, shared with the spec."""
        for task in reversed(self.workflow.get_tasks(state=TaskState.COMPLETED)):
            if getattr(task.task_spec, "event_definition", None) is definition:
                return str(task.task_spec.bpmn_id)
        return None

    def error_tasks(self) -> list[str]:
        return [str(t.task_spec.bpmn_id) for t in self.workflow.get_tasks(state=TaskState.ERROR)]


def _failure(exc: SpiffWorkflowException, element: str | None) -> StepResult:
    task = getattr(exc, "task", None)
    if task is not None:
        element = task.task_spec.bpmn_id
    message = str(exc).strip() or type(exc).__name__
    return StepResult(completed=False, error_element=element, error_message=message)


def _start_event_id(start_task: Any) -> str:
    for spec in start_task.task_spec.outputs:
        if isinstance(spec, CatchingEvent) or type(spec).__name__ == "StartEvent":
            return str(spec.bpmn_id)
    return str(start_task.task_spec.outputs[0].bpmn_id)


def _json_default(value: Any) -> Any:
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored in an application")
