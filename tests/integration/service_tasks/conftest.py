"""Services with service tasks and message events, deployed next to the demo ones, and a local HTTP registry."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import Job
from engine.services.background.runner import run_due_jobs
from engine.services.cases.applications import start_application
from engine.services.cases.steps import complete_task
from engine.services.cases.views import ApplicationView
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import directory

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="https://example.org/t">
  <bpmn:message id="msg_paid" name="payment_received" />
  <bpmn:process id="{pid}" name="Тест фонової роботи" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="organisation" value="lubny-council" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="amount" label="Сума" type="long" />
      <camunda:formField id="email" label="Пошта" type="email" />
    </camunda:formData></bpmn:extensionElements><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    {body}
  </bpmn:process>
</bpmn:definitions>
"""

HTTP_SERVICE = """
    <bpmn:serviceTask id="check_registry" name="Запит до реєстру" camunda:type="posluhy" camunda:topic="http_call"
        camunda:resultVariable="registry">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="url">"http://127.0.0.1:{port}/check"</camunda:inputParameter>
        <camunda:inputParameter name="method">"POST"</camunda:inputParameter>
        <camunda:inputParameter name="json">{{"amount": amount}}</camunda:inputParameter>
        <camunda:inputParameter name="timeout">5</camunda:inputParameter>
        <camunda:inputParameter name="retries">2</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="gw" default="f_no"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f_ok</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_confirmed" name="Підтверджено"><bpmn:incoming>f_ok</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_not_found" name="Не знайдено"><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="check_registry" />
    <bpmn:sequenceFlow id="f1" sourceRef="check_registry" targetRef="gw" />
    <bpmn:sequenceFlow id="f_ok" sourceRef="gw" targetRef="end_confirmed">
      <bpmn:conditionExpression>registry is not None and registry["body"]["found"] == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end_not_found" />"""

PDF_SERVICE = """
    <bpmn:serviceTask id="number" name="Номер довідки" camunda:topic="set_variables">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="certificate_number">"СС-" + str(amount)</camunda:inputParameter>
        <camunda:inputParameter name="last_name">"Шевченко"</camunda:inputParameter>
        <camunda:inputParameter name="first_name">"Марія"</camunda:inputParameter>
        <camunda:inputParameter name="registration_address">"м. Лубни, вул. Володимирська, 21"</camunda:inputParameter>
        <camunda:inputParameter name="persons_registered">2</camunda:inputParameter>
        <camunda:inputParameter name="family_members">"Шевченко Марія\\nШевченко Софія"</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="make_pdf" name="Формування довідки" camunda:type="posluhy" camunda:topic="generate_pdf"
        camunda:resultVariable="certificate_id">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="template">"family_composition_certificate.html"</camunda:inputParameter>
        <camunda:inputParameter name="filename">"dovidka-" + certificate_number + ".pdf"</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="tell" name="Лист заявнику" camunda:type="posluhy" camunda:topic="send_email">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="to">email</camunda:inputParameter>
        <camunda:inputParameter name="template">"document_ready"</camunda:inputParameter>
        <camunda:inputParameter name="context">
          {"document_name": "dovidka-" + certificate_number + ".pdf"}
        </camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end_issued" name="Видано"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="number" />
    <bpmn:sequenceFlow id="f1" sourceRef="number" targetRef="make_pdf" />
    <bpmn:sequenceFlow id="f2" sourceRef="make_pdf" targetRef="tell" />
    <bpmn:sequenceFlow id="f3" sourceRef="tell" targetRef="end_issued" />"""

MESSAGE_SERVICE = """
    <bpmn:serviceTask id="fee" name="Розрахунок збору" camunda:topic="set_variables">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="fee">amount * 2</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="wait_payment" name="Оплата">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg_paid" />
    </bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="gw" default="f_unpaid"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_paid</bpmn:outgoing><bpmn:outgoing>f_unpaid</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_paid" name="Сплачено"><bpmn:incoming>f_paid</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_unpaid" name="Не сплачено"><bpmn:incoming>f_unpaid</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fee" />
    <bpmn:sequenceFlow id="f1" sourceRef="fee" targetRef="wait_payment" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_payment" targetRef="gw" />
    <bpmn:sequenceFlow id="f_paid" sourceRef="gw" targetRef="end_paid">
      <bpmn:conditionExpression>payment_received["amount"] == fee</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_unpaid" sourceRef="gw" targetRef="end_unpaid" />"""


@dataclass
class Registry:
    """A tiny HTTP registry on 127.0.0.1: answers 500 while `failing`, else {"found": true}."""

    failing: bool = True
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0


@pytest.fixture
def registry() -> Iterator[Registry]:
    state = Registry()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            state.requests.append(json.loads(self.rfile.read(length) or b"{}"))
            code, body = (500, b'{"error": "down"}') if state.failing else (200, b'{"found": true, "id": 7}')
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    fake = FakeClock()
    platform.clock = fake
    return fake


@pytest.fixture
def services(platform: Platform, registry: Registry, tmp_path: Path) -> None:
    """Deploys svc_http, svc_pdf and svc_message."""
    processes = tmp_path / "bg" / "processes"
    bodies = {
        "svc_http": HTTP_SERVICE.format(port=registry.port),
        "svc_pdf": PDF_SERVICE,
        "svc_message": MESSAGE_SERVICE,
    }
    for pid, body in bodies.items():
        (processes / pid).mkdir(parents=True)
        (processes / pid / f"{pid}.bpmn").write_text(HEAD.format(pid=pid, body=body), encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=processes, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
    assert report.rejected == [], report.lines()


def actor(platform: Platform, username: str) -> Actor:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, username)
        assert user is not None
        return Actor.of(user)


def submit(platform: Platform, service_id: str, *, amount: int = 50, email: str = "maria@example.org") -> str:
    citizen = actor(platform, "citizen")
    with unit_of_work(platform.write_sessions) as db:
        started: ApplicationView = start_application(db, platform, citizen, service_id)
        (start,) = started.open_steps
        complete_task(db, platform, citizen, start.id, {"amount": amount, "email": email})
    return started.reference


def run_jobs(platform: Platform) -> int:
    return run_due_jobs(platform, worker_id="test-worker", limit=50)


def jobs_of(platform: Platform, kind: str) -> list[Job]:
    with unit_of_work(platform.read_sessions) as db:
        return list(db.query(Job).filter(Job.kind == kind).order_by(Job.id))
