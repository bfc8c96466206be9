"""Delivering a BPMN message to one case: the payload lands in the process data under the message's name."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import WorkflowException

from engine.runtime.cases import Case, StepResult


class MessageNotAwaitedError(Exception):
    """Nothing in the case is waiting for a message of this name right now."""


def waiting_messages(case: Case) -> list[str]:
    """Names of the messages the case waits for (catch events, receive tasks, boundary events)."""
    return sorted(
        {str(event.name) for event in case.workflow.waiting_events() if event.event_type == "MessageEventDefinition"}
    )


def deliver_message(case: Case, name: str, payload: dict[str, Any]) -> StepResult:
    """Catch the message and run the engine on; the payload is stored as `data[name]`.

    Routing is by application (the caller chose the case), so BPMN correlation keys are not used.
    """
    if name not in waiting_messages(case):
        raise MessageNotAwaitedError(name)
    event = BpmnEvent(MessageEventDefinition(name), payload={name: payload})
    try:
        case.workflow.send_event(event)
    except WorkflowException as exc:
        raise MessageNotAwaitedError(name) from exc
    return case.advance()
