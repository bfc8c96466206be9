"""What `posluhy simulate` does instead of running a service-task handler: no mail, no HTTP, a plausible result.

Handlers with no side effects outside the case (``set_variables``) and iGov's stand-in beans that only compute
variables (counter, queue ticket) give the values the real handler would; the others give an empty result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from engine.clock import SystemClock
from engine.forms import Form
from engine.runtime.cases import Case, StepResult
from engine.runtime.igov.tasks import unsupported_script_failures
from engine.runtime.recovery import skip_failed
from engine.runtime.service_tasks import ServiceCall, finish_service_task, started_service_tasks
from engine.runtime.timers import fire_all_timers
from engine.services.cases.prefill import written_on_submit
from engine.services.handlers.registry import get_handler
from engine.services.igov.beans import BEANS, counter_value, counter_variable, parse_visit, queue_ticket

SIMULATED_RESULTS: Final[dict[str, Any]] = {
    "send_email": 0,
    "http_call": {"status": 200, "body": None},
    "generate_pdf": None,
}


def _visit_day(now: datetime) -> datetime:
    """A week ahead at 10:00, on a day of month ≥ 11 (iGov's date scripts subtract a day without zero-padding)."""
    day = now + timedelta(days=7)
    if day.day < 11:
        day = day.replace(day=15)
    return day.replace(hour=10, minute=0, second=0, microsecond=0)


def _bean_variables(bean: str, inputs: dict[str, Any], data: dict[str, Any], now: datetime) -> dict[str, Any]:
    if bean == "ProcessCountTaskCustomListener":
        return {counter_variable(inputs.get("sPattern")): counter_value(1, inputs.get("nDigits"))}
    if bean == "procedQueueTickets":
        visit = parse_visit(data.get("visitDay")) or _visit_day(now)
        return queue_ticket(visit, 1)
    return {}


def simulated_call(call: ServiceCall, data: dict[str, Any], now: datetime) -> tuple[dict[str, Any], str, str | None]:
    """(variables to set, what is shown for the step, a warning or None) for a parked service task."""
    if call.topic == "igov_bean":
        bean = str(call.inputs.get("bean") or "")
        label = f"simulated service task ({call.topic} {bean})"
        if bean not in BEANS:
            return {}, label, f"{call.element_id}: unknown iGov bean {bean!r}: a real case gets an incident here"
        return _bean_variables(bean, call.inputs, data, now), label, None
    label = f"simulated service task ({call.topic})"
    handler = get_handler(call.topic)
    if handler is None:
        return {}, label, f"{call.element_id}: no handler {call.topic!r}: a real case gets an incident here"
    if handler.merge:
        return (dict(call.inputs) if call.topic == "set_variables" else {}), label, None
    result = SIMULATED_RESULTS.get(call.topic)
    return ({call.result_variable: result} if call.result_variable else {}), label, None


MAX_AUTOMATIC_ROUNDS: Final = 100
UNSUPPORTED_SCRIPT_NOTE: Final = (
    "script not run (Groovy, or JavaScript calling iGov's Java services): a real case stops here with an incident"
    " (retry or skip); the simulation skips it"
)
TIMER_NOTE: Final = "timers fire immediately in a simulation (it does not wait for their due time)"


def drive(case: Case, outcome: StepResult, steps: list[dict[str, Any]], warnings: list[str]) -> StepResult:
    """Run what a simulation does by itself after a human step: parked service tasks (simulated, see
    :func:`simulated_call`) and, when nobody has anything to do, the timers the case waits for (fired at once).
    Each is recorded in ``steps``; returns the case's state afterwards."""
    for _ in range(MAX_AUTOMATIC_ROUNDS):
        unsupported = unsupported_script_failures(case.workflow) if outcome.failed else []
        if unsupported:  # a real case gets an incident that an operator may skip; the simulation skips it
            warnings.extend(f"{element}: {UNSUPPORTED_SCRIPT_NOTE}" for element in unsupported)
            steps.extend(
                {"task": element, "lane": "script not run (unsupported)", "data": {}} for element in unsupported
            )
            outcome = skip_failed(case)
            continue
        if outcome.failed or outcome.completed:
            return outcome
        calls = started_service_tasks(case)
        if calls:
            for call in calls:
                variables, label, warning = simulated_call(
                    call, case.data_at(call.task_id), (case.clock or SystemClock()).now()
                )
                steps.append({"task": call.element_id, "lane": label, "data": variables})
                if warning is not None:
                    warnings.append(warning)
                outcome = finish_service_task(case, call.task_id, variables)
                if outcome.failed:
                    break
            continue
        if case.open_steps() or case.next_timer_at() is None:
            return outcome
        fired = fire_all_timers(case)
        if not fired:
            return outcome
        if TIMER_NOTE not in warnings:
            warnings.append(TIMER_NOTE)
        steps.extend({"task": element, "lane": "timer fired immediately", "data": {}} for element in fired)
        outcome = case.advance()
    return outcome


def kept_answers(form: Form, data: Mapping[str, Any]) -> dict[str, Any]:
    """Answers a person would leave as the form shows them: the variable's current value, else a plain default."""
    kept: dict[str, Any] = {}
    for field in form.input_fields:
        current = data.get(field.name)
        default = field.default
        if current is not None and current != "":
            kept[field.name] = current
        elif default is not None and not (isinstance(default, str) and ("${" in default or "#{" in default)):
            kept[field.name] = default
    return kept


def with_written_values(form: Form, data: Mapping[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers plus what the platform writes on submit (hidden defaults...), as engine.services.cases.steps does."""
    return {**answers, **written_on_submit(form, {**data, **answers})}
