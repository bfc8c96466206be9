"""Lint rules that need the engine's own judgement: timer values are checked exactly as the engine will read them."""

from __future__ import annotations

import ast

from lxml import etree

from engine.bpmn.problems import Problem, Severity
from engine.bpmn.xml import BPMN, local_name, text_of
from engine.runtime.timers import TIMER_VALUE_TAGS, timer_value_problem


def timer_problems(process: etree._Element, file: str) -> list[Problem]:
    """Plain ISO 8601 (P3D), quoted ISO strings and Python expressions are all accepted (see runtime.timers)."""
    problems: list[Problem] = []

    def add(element_id: str, message: str) -> None:
        problems.append(Problem(file, element_id, message, Severity.ERROR))

    for timer in process.iter(BPMN + "timerEventDefinition"):
        parent = timer.getparent()
        owner = parent.get("id", "") if parent is not None else ""
        container = parent.getparent() if parent is not None else None
        if parent is not None and local_name(parent) == "startEvent" and container is process:
            add(
                owner,
                "a timer cannot start this service (citizens start applications); "
                "use a timer start event in an event sub-process, or a boundary or intermediate timer",
            )
            continue
        values = [c for c in timer if isinstance(c.tag, str) and local_name(c) in TIMER_VALUE_TAGS]
        if not values:
            add(owner, "timer has no value (timeDuration, timeDate or timeCycle)")
            continue
        for value in values:
            message = timer_value_problem(local_name(value), text_of(value), _compile_problem)
            if message:
                add(owner, message)

    return problems


def _compile_problem(source: str) -> str | None:
    try:
        ast.parse(source, mode="eval")
    except SyntaxError as exc:
        return exc.msg
    return None
