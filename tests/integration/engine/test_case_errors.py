"""A failing script or an uncaught BPMN error puts the application into a visible error state."""

from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.background.incidents import list_incidents
from engine.services.background.recovery import skip_incident
from engine.services.cases.applications import get_application, public_status, start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Platform
from engine.services.errors import TaskNotOpenError
from engine.services.worklist import queues
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

PARALLEL_FAILURE = """
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f_review</bpmn:outgoing><bpmn:outgoing>f_fee</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="review" name="Розгляд" camunda:candidateGroups="lubny-cnap">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="note" label="Примітка" type="string" />
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f_review</bpmn:incoming><bpmn:outgoing>f_review_done</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="calc_fee" name="Розрахунок збору" scriptFormat="python">
      <bpmn:incoming>f_fee</bpmn:incoming><bpmn:outgoing>f_fee_done</bpmn:outgoing>
      <bpmn:script>fee = 100 / (copies - copies)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f_review_done</bpmn:incoming>
      <bpmn:incoming>f_fee_done</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end_done" name="Готово"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f_review" sourceRef="split" targetRef="review" />
    <bpmn:sequenceFlow id="f_fee" sourceRef="split" targetRef="calc_fee" />
    <bpmn:sequenceFlow id="f_review_done" sourceRef="review" targetRef="join" />
    <bpmn:sequenceFlow id="f_fee_done" sourceRef="calc_fee" targetRef="join" />
    <bpmn:sequenceFlow id="f_end" sourceRef="join" targetRef="end_done" />"""

BPMN_ERROR = """
    <bpmn:endEvent id="end_registry_down" name="Збій реєстру"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:errorEventDefinition errorRef="err_registry" /></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="end_registry_down" />"""


@pytest.fixture
def broken_services(platform: Platform, tmp_path: Path) -> None:
    processes = tmp_path / "broken" / "processes"
    broken = (("failing_script", FAILING_SCRIPT), ("bpmn_error", BPMN_ERROR), ("parallel_failure", PARALLEL_FAILURE))
    for pid, middle in broken:
        (processes / pid).mkdir(parents=True)
        (processes / pid / f"{pid}.bpmn").write_text(TEMPLATE.format(pid=pid, middle=middle), encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=processes, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
    assert report.rejected == [], report.lines()
    assert len(report.deployed) == 3


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


@pytest.mark.usefixtures("broken_services")
def test_a_failed_case_offers_no_task_until_its_incident_is_resolved(platform: Platform, actor_of: ActorOf) -> None:
    """The script fails in one branch while the other branch has already reached an official's step."""
    citizen, official, admin = actor_of("citizen"), actor_of("lubny.cnap"), actor_of("admin")
    with unit_of_work(platform.write_sessions) as db:
        started = start_application(db, platform, citizen, "parallel_failure")
        (start,) = started.open_steps
        failed = complete_task(db, platform, citizen, start.id, {"copies": 2})
    assert failed.status == "error" and [t.element_id for t in failed.open_steps] == ["review"]
    review_id = failed.open_steps[0].id
    with unit_of_work(platform.read_sessions) as db:
        assert [t.reference for t in queues.queue(db, official)] == []  # not offered in anybody's queue
        assert [t.reference for t in queues.queue(db, admin)] == []
    with pytest.raises(TaskNotOpenError), unit_of_work(platform.write_sessions) as db:
        queues.claim(db, official, review_id)
    with pytest.raises(TaskNotOpenError), unit_of_work(platform.write_sessions) as db:
        complete_task(db, platform, official, review_id, {})

    with unit_of_work(platform.read_sessions) as db:
        (incident,) = list_incidents(db, admin)
    with unit_of_work(platform.write_sessions) as db:
        skip_incident(db, platform, admin, incident.id, "fee waived")
    with unit_of_work(platform.read_sessions) as db:
        assert [t.id for t in queues.queue(db, official)] == [review_id]  # resolved: the step is offered again
    with unit_of_work(platform.write_sessions) as db:
        done = complete_task(db, platform, official, review_id, {})
    assert (done.status, done.outcome) == ("completed", "end_done")
