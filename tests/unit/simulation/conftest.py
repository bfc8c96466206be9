"""Small services written to a temporary folder, for `posluhy simulate` and `posluhy test` without a database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="https://example.org/t">\n'
)
PROPERTIES = """<bpmn:extensionElements><camunda:properties>
  <camunda:property name="organisation" value="lubny-council" />
</camunda:properties></bpmn:extensionElements>"""

START_FORM = """<camunda:formData>
  <camunda:formField id="surname" label="Прізвище" type="string">
    <camunda:validation><camunda:constraint name="required" /></camunda:validation>
  </camunda:formField>
</camunda:formData>"""

DECISION_FORM = """<camunda:formData>
  <camunda:formField id="decision" label="Рішення" type="enum">
    <camunda:validation><camunda:constraint name="required" /></camunda:validation>
    <camunda:value id="finish" name="Завершити" />
    <camunda:value id="again" name="Ще раз" />
  </camunda:formField>
</camunda:formData>"""


def write_service(folder: Path, body: str, *, process_id: str = "svc") -> Path:
    """A service folder with one diagram around `body`; returns the diagram's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{process_id}.bpmn"
    path.write_text(
        f'{HEADER}<bpmn:process id="{process_id}" name="Тестова послуга" isExecutable="true">\n'
        f"{PROPERTIES}\n{body}\n</bpmn:process></bpmn:definitions>\n",
        encoding="utf-8",
    )
    return path


def loop_service(folder: Path, *, default: str) -> Path:
    """Start form → user task with a decision → gateway: "finish" ends, anything else goes round again.

    `default` names the gateway's default flow: "f_again" (a loop generated data never leaves) or "f_finish".
    """
    condition = 'decision == "finish"' if default == "f_again" else 'decision == "again"'
    conditional = "f_finish" if default == "f_again" else "f_again"
    body = f"""
<bpmn:startEvent id="start"><bpmn:extensionElements>{START_FORM}</bpmn:extensionElements>
  <bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="work" name="Робота" camunda:assignee="applicant">
  <bpmn:extensionElements>{DECISION_FORM}</bpmn:extensionElements>
  <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f_again</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
</bpmn:userTask>
<bpmn:exclusiveGateway id="gw" default="{default}">
  <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_finish</bpmn:outgoing><bpmn:outgoing>f_again</bpmn:outgoing>
</bpmn:exclusiveGateway>
<bpmn:endEvent id="done"><bpmn:incoming>f_finish</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="gw" />
<bpmn:sequenceFlow id="f_finish" sourceRef="gw" targetRef="done">{_condition(conditional, "f_finish", condition)}
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_again" sourceRef="gw" targetRef="work">{_condition(conditional, "f_again", condition)}
</bpmn:sequenceFlow>
"""
    return write_service(folder, body)


def _condition(conditional: str, flow: str, condition: str) -> str:
    if flow != conditional:
        return ""
    return f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'


def write_scenario(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / "scenarios" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path
