"""A suspended case runs no background job: its queued service task waits, held, and runs once it is resumed."""

from __future__ import annotations

from pathlib import Path

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.cases.applications import start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.console.operations import resume_case, suspend_case
from engine.services.context import SYSTEM, Platform
from engine.store import applications
from engine.worker import run_once

from ..conftest import ActorOf

SERVICE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="https://example.org/t">
  <bpmn:process id="svc_console_job" name="Фонова робота під час призупинення" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="organisation" value="lubny-council" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="amount" label="Сума" type="long" />
    </camunda:formData></bpmn:extensionElements><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="fee" name="Розрахунок збору" camunda:type="posluhy" camunda:topic="set_variables">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="fee">amount * 2</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end_done" name="Пораховано"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fee" />
    <bpmn:sequenceFlow id="f1" sourceRef="fee" targetRef="end_done" />
  </bpmn:process>
</bpmn:definitions>
"""


def _status(platform: Platform, reference: str) -> str:
    with unit_of_work(platform.read_sessions) as db:
        found = applications.find_by_reference(db, reference)
        assert found is not None
        return found.status


def test_the_service_task_of_a_suspended_case_waits_until_it_is_resumed(
    platform: Platform, actor_of: ActorOf, tmp_path: Path
) -> None:
    folder = tmp_path / "processes" / "svc_console_job"
    folder.mkdir(parents=True)
    (folder / "svc_console_job.bpmn").write_text(SERVICE, encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(
            db, processes_dir=tmp_path / "processes", forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM
        )
        assert not report.rejected, report.lines()
    citizen, admin = actor_of("citizen"), actor_of("admin")
    with unit_of_work(platform.write_sessions) as db:
        view = start_application(db, platform, citizen, "svc_console_job")
        complete_task(db, platform, citizen, view.open_steps[0].id, {"amount": 21})
        reference = view.reference
        suspend_case(db, platform, admin, reference, "Hold the fee", expected_version=None)

    run_once(platform, worker_id="w")
    assert _status(platform, reference) == "suspended"  # the fee job did not run

    with unit_of_work(platform.write_sessions) as db:
        resume_case(db, platform, admin, reference, "Go on", expected_version=None)
    run_once(platform, worker_id="w")
    assert _status(platform, reference) == "completed"
