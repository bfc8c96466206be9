"""How the loop fixtures are played by the tests: each round the official asks and the applicant's side answers."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from engine.bpmn.xml import parse_xml
from engine.runtime.cases import Case, StepResult
from engine.runtime.service_tasks import finish_service_task, started_service_tasks
from engine.runtime.specs import compile_spec

from ...fixtures.loops.driver import LOOPS
from .lockstep import Lockstep

#: Loop fixtures and, for each, every how many rounds the applicant lets the timer fire instead of answering.
LOOP_FIXTURES: dict[str, int | None] = {
    "correspondence_loop": None,
    "timer_loop": 3,
    "subprocess_loop": None,
    "call_activity_loop": None,
    "parallel_loop": None,
    "multi_instance_loop": None,
    "service_task_loop": None,
}
TIMER_WAIT = timedelta(days=11)


def _called(process_id: str) -> tuple[etree._ElementTree, str] | None:
    path = LOOPS / f"{process_id}.bpmn"
    return (parse_xml(path.read_bytes()), path.name) if path.is_file() else None


def loop_spec(name: str, xml: bytes | None = None) -> str:
    """The compiled fixture `name` (or `xml` in its place); call activities find the other fixtures."""
    data = xml if xml is not None else (LOOPS / f"{name}.bpmn").read_bytes()
    return compile_spec(parse_xml(data), filename=f"{name}.bpmn", process_id=name, called=_called)


def play_round(play: Lockstep, number: int, *, timer_every: int | None = None, same_order: bool = False) -> StepResult:
    """`review` asks, then the other open steps are completed (first to last, or on odd rounds last to first unless
    `same_order`) until `review` is open again; with `timer_every`, every so many rounds the applicant does not
    answer and the timer fires instead."""
    result = play.complete("review", {"decision": "ask", "question": f"Питання {number}?"})
    while started_service_tasks(play.pruned.load()):
        result = play.act(run_service_task)
    if timer_every and number % timer_every == 0:
        return play.wait(TIMER_WAIT)
    for _ in range(10):
        others = [s for s in play.open_steps() if s != "review"]
        if not others:
            return result
        step = others[-1] if number % 2 and not same_order else others[0]
        result = play.complete(step, {"reply": f"Відповідь {number}"})
    raise AssertionError("the round does not end")


def run_service_task(case: Case) -> StepResult:
    """What the worker does with a parked `set_variables` task: its inputs become the case's variables."""
    call = started_service_tasks(case)[0]
    return finish_service_task(case, call.task_id, call.inputs)


def start(play: Lockstep) -> StepResult:
    return play.complete("start_application", {"subject": "Довідка"})


def close(play: Lockstep) -> StepResult:
    return play.complete("review", {"decision": "close"})
