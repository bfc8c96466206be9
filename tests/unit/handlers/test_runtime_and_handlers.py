"""The parked service task survives save and restore; handlers' parameter rules; message delivery to a case."""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any

import pytest
from lxml import etree

from engine.runtime.cases import Case
from engine.runtime.messages import MessageNotAwaitedError, deliver_message, waiting_messages
from engine.runtime.sandbox import create_script_engine
from engine.runtime.service_tasks import finish_service_task, service_call, started_service_tasks
from engine.runtime.specs import compile_spec
from engine.services.handlers import HandlerError
from engine.services.handlers.generate_pdf import render_document_html
from engine.services.handlers.http_call import HttpCallError, http_literal_problem
from engine.services.handlers.registry import get_handler, handler_names

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:message id="m" name="extract_ready" />
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="svc" camunda:type="posluhy" camunda:topic="http_call" camunda:resultVariable="answer">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="url">"https://registry.example/" + code</camunda:inputParameter>
        <camunda:inputParameter name="json">{"n": n * 2}</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:receiveTask id="wait" messageRef="m"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:receiveTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="svc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="svc" targetRef="wait"/>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def spec_json() -> str:
    return compile_spec(etree.ElementTree(etree.fromstring(DIAGRAM)), filename="t.bpmn", process_id="p")


def test_a_service_task_waits_with_its_inputs_across_save_and_restore(spec_json: str) -> None:
    engine = create_script_engine(time_limit=2)
    case = Case.new(spec_json, engine)
    (start,) = case.open_steps()
    assert case.complete(start.task_id, {"code": "A7", "n": 21}).failed is False
    (call,) = started_service_tasks(case)
    assert (call.element_id, call.topic, call.result_variable) == ("svc", "http_call", "answer")
    assert call.inputs == {"url": "https://registry.example/A7", "json": {"n": 42}}
    assert not case.waiting_for_nothing() and not case.is_completed()

    restored = Case.load(spec_json, case.dump(), engine)
    assert started_service_tasks(restored) == [call]
    assert waiting_messages(restored) == []
    with pytest.raises(MessageNotAwaitedError):
        deliver_message(restored, "extract_ready", {"x": 1})

    result = finish_service_task(restored, call.task_id, {"answer": {"status": 200}})
    assert not result.failed
    assert service_call(restored, call.task_id) is None, "a finished task is not run again"
    with pytest.raises(LookupError):
        finish_service_task(restored, call.task_id, {})
    assert waiting_messages(restored) == ["extract_ready"]

    again = Case.load(spec_json, restored.dump(), engine)
    done = deliver_message(again, "extract_ready", {"pages": 3})
    assert (done.completed, done.end_event) == (True, "end")
    assert again.current_data()["answer"] == {"status": 200}
    assert again.current_data()["extract_ready"] == {"pages": 3}


def test_an_input_that_fails_is_a_visible_step_error(spec_json: str) -> None:
    case = Case.new(spec_json, create_script_engine(time_limit=2))
    (start,) = case.open_steps()
    result = case.complete(start.task_id, {"code": 7, "n": 1})  # str + int
    assert result.failed and result.error_element == "svc"


def test_the_built_in_handlers_are_registered() -> None:
    builtin = {"generate_pdf", "http_call", "send_email", "set_variables", "igov_mail", "igov_bean"}
    assert builtin <= set(handler_names())
    set_variables = get_handler("set_variables")
    assert set_variables is not None and set_variables.merge
    assert set_variables.function(None, {"fee": 10}) == {"fee": 10}  # type: ignore[arg-type]
    http = get_handler("http_call")
    assert http is not None
    assert http.missing_params(["method"]) == ["url"] and http.unknown_params(["url", "body"]) == ["body"]


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("url", "https://example.org", True),
        ("url", "file:///etc/passwd", False),
        ("method", "patch", True),
        ("method", "TRACE", False),
        ("timeout", 3.5, True),
        ("timeout", -1, False),
        ("retries", True, False),
    ],
)
def test_http_call_parameters(name: str, value: Any, ok: bool) -> None:
    assert (http_literal_problem(name, value) is None) is ok


def test_http_call_to_a_closed_port_is_a_retryable_failure() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = get_handler("http_call")
    assert http is not None
    with pytest.raises(HttpCallError, match="failed"):
        http.function(None, {"url": f"http://127.0.0.1:{port}/x", "timeout": 2})  # type: ignore[arg-type]
    with pytest.raises(HandlerError, match="http:// or https://"):
        http.function(None, {"url": "file:///etc/passwd"})  # type: ignore[arg-type]


def test_document_templates_escape_data() -> None:
    html = render_document_html(
        "family_composition_certificate.html",
        {
            "data": {
                "last_name": "<script>alert(1)</script>",
                "first_name": "Марія",
                "registration_address": "Лубни",
                "persons_registered": 1,
                "family_members": "Марія",
            },
            "reference": "LB-1",
            "service_title": "Довідка",
            "issued_at": datetime(2026, 1, 5),
        },
    )
    assert "&lt;script&gt;" in html and "<script>" not in html and "05.01.2026" in html
    with pytest.raises(HandlerError, match="does not exist"):
        render_document_html("nope.html", {})
