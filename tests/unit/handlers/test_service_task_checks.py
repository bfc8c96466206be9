"""`posluhy check` on service tasks and message events: unknown handlers and bad parameters are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.problems import Severity
from engine.cli import main
from engine.config import PROJECT_ROOT
from engine.services.authoring.checking import FormFiles, check_bytes

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="https://example.org/t">
  <bpmn:message id="m_ok" name="payment_received" />
  <bpmn:message id="m_bad" name="payment-received" />
  <bpmn:process id="p" name="Перевірка" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="organisation" value="lubny-council" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="email" label="Пошта" type="email" />
    </camunda:formData></bpmn:extensionElements><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    {task}
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="x" />
    <bpmn:sequenceFlow id="f1" sourceRef="x" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def service_task(attributes: str, inputs: str = "") -> str:
    io = f"<bpmn:extensionElements><camunda:inputOutput>{inputs}</camunda:inputOutput></bpmn:extensionElements>"
    flows = "<bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>"
    return f'<bpmn:serviceTask id="x" {attributes}>{io}{flows}</bpmn:serviceTask>'


def param(name: str, value: str) -> str:
    return f'<camunda:inputParameter name="{name}">{value}</camunda:inputParameter>'


def problems(task: str) -> list[tuple[str, str, Severity]]:
    checked = check_bytes(DIAGRAM.format(task=task).encode(), FormFiles(PROJECT_ROOT / "forms"), name="t.bpmn")
    return [
        (p.element_id, p.message, p.severity)
        for p in checked.problems
        if p.severity is not Severity.WARNING or "input parameter" in p.message
    ]


def errors(task: str) -> list[str]:
    return [message for _id, message, severity in problems(task) if severity is Severity.ERROR]


def test_a_valid_service_task_passes() -> None:
    task = service_task(
        'camunda:type="posluhy" camunda:topic="send_email" camunda:resultVariable="mail_id"',
        param("to", "email") + param("template", '"received"'),
    )
    assert problems(task) == []


def test_an_unknown_handler_is_named() -> None:
    (message,) = errors(service_task('camunda:type="posluhy" camunda:topic="send_sms"'))
    assert "unknown service task handler 'send_sms'" in message and "send_email" in message


@pytest.mark.parametrize(
    ("attributes", "inputs", "expected"),
    [
        ("", "", "names no handler"),
        ('camunda:class="org.example.Delegate"', "", "Java delegate"),
        ('camunda:type="external"', "", "names no handler"),
        ('camunda:type="connector" camunda:topic="http_call"', "", "camunda:type 'connector'"),
        ('camunda:topic="http_call"', "", "needs the input parameter 'url'"),
        ('camunda:topic="http_call"', param("url", '"ftp://example.org/x"'), "http:// or https://"),
        ('camunda:topic="http_call"', param("url", "${registryUrl}"), "JUEL"),
        ('camunda:topic="http_call"', param("url", "base +"), "does not compile"),
        ('camunda:topic="generate_pdf"', param("template", '"missing.html"'), "does not exist"),
        ('camunda:topic="send_email"', param("to", "email") + param("template", '"nope"'), "does not exist"),
        ('camunda:topic="set_variables" camunda:resultVariable="a-b"', "", "not a valid variable name"),
    ],
)
def test_bad_service_tasks_fail_the_check(attributes: str, inputs: str, expected: str) -> None:
    found = errors(service_task(attributes, inputs))
    assert any(expected in message for message in found), found


def test_an_unused_parameter_is_a_warning() -> None:
    task = service_task(
        'camunda:topic="generate_pdf"',
        param("template", '"family_composition_certificate.html"') + param("colour", '"red"'),
    )
    assert problems(task) == [
        ("x", "handler 'generate_pdf' does not use the input parameter 'colour'", Severity.WARNING)
    ]


def catch(message_ref: str, kind: str = "intermediateCatchEvent") -> str:
    return (
        f'<bpmn:{kind} id="x"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>'
        f'<bpmn:messageEventDefinition id="med" messageRef="{message_ref}" /></bpmn:{kind}>'
    )


def test_message_events() -> None:
    assert errors(catch("m_ok")) == []
    assert any("must be a variable name" in m for m in errors(catch("m_bad")))
    assert any("names no bpmn:message" in m for m in errors(catch("m_none")))
    assert any("sending messages is not supported" in m for m in errors(catch("m_ok", "intermediateThrowEvent")))
    flows = "<bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>"
    receive = f'<bpmn:receiveTask id="x" messageRef="m_ok">{flows}</bpmn:receiveTask>'
    assert errors(receive) == []


def test_posluhy_check_exits_1_naming_the_unknown_handler(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "svc.bpmn"
    path.write_text(DIAGRAM.format(task=service_task('camunda:topic="fax"')), encoding="utf-8")
    assert main(["check", str(path), "--forms", str(PROJECT_ROOT / "forms")]) == 1
    assert f"{path}:x: unknown service task handler 'fax'" in capsys.readouterr().out
