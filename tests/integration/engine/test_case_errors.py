"""A failing script or an uncaught BPMN error puts the application into a visible error state."""

from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.cases.applications import get_application, public_status, start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Platform
from engine.store import audit

from .conftest import ActorOf, application_row

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="https://example.org/t">
  <bpmn:process id="{pid}" name="Тест збою" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="organisation" value="lubny-council" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="copies" label="Кількість примірників" type="long" />
    </camunda:formData></bpmn:extensionElements><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    {middle}
  </bpmn:process>
  <bpmn:error id="err_registry" name="Реєстр недоступний" errorCode="REGISTRY_DOWN" />
</bpmn:definitions>
"""

FAILING_SCRIPT = """
    <bpmn:scriptTask id="calc_fee" name="Розрахунок збору" scriptFormat="python">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:script>fee = 100 / (copies - copies)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end_done" name="Готово"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="calc_fee" />
    <bpmn:sequenceFlow id="f1" sourceRef="calc_fee" targetRef="end_done" />"""

BPMN_ERROR = """
    <bpmn:endEvent id="end_registry_down" name="Збій реєстру"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:errorEventDefinition errorRef="err_registry" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="end_registry_down" />"""


@pytest.fixture
def broken_services(platform: Platform, tmp_path: Path) -> None:
    processes = tmp_path / "broken" / "processes"
    for pid, middle in (("failing_script", FAILING_SCRIPT), ("bpmn_error", BPMN_ERROR)):
        (processes / pid).mkdir(parents=True)
        (processes / pid / f"{pid}.bpmn").write_text(TEMPLATE.format(pid=pid, middle=middle), encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=processes, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
    assert report.rejected == [], report.lines()
    assert len(report.deployed) == 2


@pytest.mark.usefixtures("broken_services")
@pytest.mark.parametrize(
    ("service", "element", "message"),
    [("failing_script", "calc_fee", "ZeroDivisionError"), ("bpmn_error", "end_registry_down", "REGISTRY_DOWN")],
)
def test_a_failure_in_the_diagram_is_a_visible_error(
    platform: Platform, actor_of: ActorOf, service: str, element: str | None, message: str
) -> None:
    citizen = actor_of("citizen")
    with unit_of_work(platform.write_sessions) as db:
        started = start_application(db, platform, citizen, service)
        (start,) = started.open_steps
        after = complete_task(db, platform, citizen, start.id, {"copies": 2})
    assert after.status == "error"
    assert message in (after.error_message or "")
    assert after.error_element == element
    assert after.open_steps == [] and after.outcome is None

    with unit_of_work(platform.read_sessions) as db:
        seen = get_application(db, citizen, started.reference)
        assert (seen.status, seen.error_element, seen.error_message) == (
            "error",
            after.error_element,
            after.error_message,
        )
        assert public_status(db, started.reference).status == "error"
        events = audit.for_application(db, application_row(db, started.reference).id)
        errors = [e for e in events if e.action == "application.error"]
        assert len(errors) == 1 and message in errors[0].details_json
        assert errors[0].element_id == after.error_element
