"""Inline diagrams for the lint rules: a start form, a user task and end events by default."""

from __future__ import annotations

from engine.bpmn.lint import lint_rules
from engine.bpmn.manifest import build_manifest, executable_processes
from engine.bpmn.problems import Problem
from engine.bpmn.xml import parse_xml
from engine.forms import Form
from engine.runtime.timer_checks import timer_problems

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="https://example.org/t">\n'
)
START_FORM = (
    '<bpmn:extensionElements><camunda:formData><camunda:formField id="amount" label="Сума" type="long" />'
    "</camunda:formData></bpmn:extensionElements>"
)
DECISION_FORM = (
    '<bpmn:extensionElements><camunda:formData><camunda:formField id="decision" label="Рішення" type="string" />'
    "</camunda:formData></bpmn:extensionElements>"
)


def diagram(body: str) -> bytes:
    process = f'<bpmn:process id="svc" name="Тест" isExecutable="true">\n{body}\n</bpmn:process>'
    return f"{HEADER}{process}</bpmn:definitions>".encode()


def start(outgoing: str = "f0", *, form: str = START_FORM) -> str:
    return f'<bpmn:startEvent id="start">{form}<bpmn:outgoing>{outgoing}</bpmn:outgoing></bpmn:startEvent>'


def task(element_id: str, incoming: str, outgoing: str | None, *, attrs: str = 'camunda:candidateGroups="g"') -> str:
    out = f"<bpmn:outgoing>{outgoing}</bpmn:outgoing>" if outgoing else ""
    return (
        f'<bpmn:userTask id="{element_id}" {attrs}>{DECISION_FORM}<bpmn:incoming>{incoming}</bpmn:incoming>{out}'
        "</bpmn:userTask>"
    )


def end(element_id: str, incoming: str) -> str:
    return f'<bpmn:endEvent id="{element_id}"><bpmn:incoming>{incoming}</bpmn:incoming></bpmn:endEvent>'


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    body = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        if condition
        else ""
    )
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}</bpmn:sequenceFlow>'


def simple(*extra: str) -> str:
    """start -> review -> done, plus extra elements."""
    return "\n".join(
        [
            start(),
            task("review", "f0", "f1"),
            end("done", "f1"),
            flow("f0", "start", "review"),
            flow("f1", "review", "done"),
            *extra,
        ]
    )


def no_forms(key: str) -> Form:
    raise FileNotFoundError(key)


def lint(body: str) -> list[Problem]:
    tree = parse_xml(diagram(body))
    manifest, problems = build_manifest(tree, file="t.bpmn", load_form=no_forms)
    assert manifest is not None and not problems, problems
    process = executable_processes(tree)[0]
    return lint_rules(process, manifest, "t.bpmn") + timer_problems(process, "t.bpmn")


def found(body: str) -> list[tuple[str, str]]:
    """(element id, message) of every problem."""
    return [(p.element_id, p.message) for p in lint(body)]
