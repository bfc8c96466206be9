"""Test runs play every role of a draft in a sandbox that leaves applications, worklist and audit alone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.models import Application, AuditEvent, HumanTask
from engine.services.context import Actor, Platform
from engine.services.errors import NotFoundError, TaskNotOpenError, ValidationFailedError, VersionHasErrorsError
from engine.services.studio.drafts import create_service, save_draft
from engine.services.studio.testrun import complete_test_step, get_test_run, start_test_run

from .conftest import SERVICE, ActorOf, permit_xml


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Application)) or 0,
        db.scalar(select(func.count()).select_from(HumanTask)) or 0,
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.application_id.is_not(None))) or 0,
    )


def test_a_test_run_plays_applicant_then_official_to_an_end_event_in_a_sandbox(
    platform: Platform, analyst: Actor
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        create_service(db, analyst, process_id=SERVICE, title="Дозвіл")
        draft = save_draft(db, analyst, SERVICE, permit_xml())
        before = counts(db)
    with unit_of_work(platform.write_sessions) as db:
        run = start_test_run(db, platform, analyst, SERVICE, draft.number)
    assert (run.status, run.role, run.number) == ("active", "applicant", 2)
    assert run.open_step is not None and run.open_step.element_id == "start"

    with unit_of_work(platform.write_sessions) as db:
        run = complete_test_step(db, platform, analyst, run.id, {"full_name": "Іван Петренко", "amount": "3"})
    assert (run.status, run.role) == ("active", "lubny-cnap")
    assert run.open_step is not None and run.open_step.element_id == "review"
    assert run.data == {"full_name": "Іван Петренко", "amount": 3}

    with unit_of_work(platform.read_sessions) as db:
        again = get_test_run(db, analyst, run.id)  # state saved after the step, read back
    assert again.open_step is not None and again.open_step.element_id == "review"

    with unit_of_work(platform.write_sessions) as db:
        done = complete_test_step(db, platform, analyst, run.id, {"decision": "approve"})
    assert (done.status, done.outcome, done.outcome_name, done.open_step) == (
        "completed",
        "approved",
        "Погоджено",
        None,
    )
    assert done.history == ["Заяву подано (applicant)", "Розгляд (lubny-cnap)", "end: approved"]
    with unit_of_work(platform.write_sessions) as db:
        assert counts(db) == before
        with pytest.raises(TaskNotOpenError):
            complete_test_step(db, platform, analyst, run.id, {})


def test_a_test_step_validates_like_the_real_step(platform: Platform, analyst: Actor) -> None:
    with unit_of_work(platform.write_sessions) as db:
        create_service(db, analyst, process_id=SERVICE, title="Дозвіл")
        save_draft(db, analyst, SERVICE, permit_xml())
        run = start_test_run(db, platform, analyst, SERVICE, 2)
    with unit_of_work(platform.write_sessions) as db, pytest.raises(ValidationFailedError) as refused:
        complete_test_step(db, platform, analyst, run.id, {"full_name": "", "amount": "багато"})
    assert set(refused.value.errors) == {"full_name", "amount"}
    with unit_of_work(platform.read_sessions) as db:
        unchanged = get_test_run(db, analyst, run.id)
    assert unchanged.open_step is not None and unchanged.open_step.element_id == "start"


def test_a_run_belongs_to_its_analyst_and_needs_a_runnable_version(
    platform: Platform, analyst: Actor, actor_of: ActorOf
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        create_service(db, analyst, process_id=SERVICE, title="Дозвіл")
        save_draft(db, analyst, SERVICE, "<not xml")
        run = start_test_run(db, platform, analyst, SERVICE, 1)
    with unit_of_work(platform.write_sessions) as db, pytest.raises(VersionHasErrorsError):
        start_test_run(db, platform, analyst, SERVICE, 2)
    with unit_of_work(platform.read_sessions) as db:
        assert get_test_run(db, actor_of("admin"), run.id).id == run.id
    other = Actor(user_id=999, username="analyst2", role="analyst")
    with unit_of_work(platform.read_sessions) as db, pytest.raises(NotFoundError):
        get_test_run(db, other, run.id)


AUTOMATED = """<bpmn:serviceTask id="notify" name="Позначити" camunda:type="posluhy" camunda:topic="set_variables">
  <bpmn:extensionElements><camunda:inputOutput>
    <camunda:inputParameter name="notified">True</camunda:inputParameter>
  </camunda:inputOutput></bpmn:extensionElements>
  <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f_notified</bpmn:outgoing></bpmn:serviceTask>
<bpmn:intermediateCatchEvent id="wait" name="Пауза"><bpmn:incoming>f_notified</bpmn:incoming>
  <bpmn:outgoing>f_waited</bpmn:outgoing>
  <bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:intermediateCatchEvent>
<bpmn:sequenceFlow id="f_notified" sourceRef="notify" targetRef="wait" />
<bpmn:sequenceFlow id="f_waited" sourceRef="wait" targetRef="review" />"""


def test_a_test_run_simulates_service_tasks_and_fires_timers_at_once(platform: Platform, analyst: Actor) -> None:
    xml = (
        permit_xml(extra_nodes=AUTOMATED)
        .replace(
            '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />',
            '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="notify" />',
        )
        .replace(
            "<bpmn:incoming>f0</bpmn:incoming>\n  <bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>",
            "<bpmn:incoming>f_waited</bpmn:incoming>\n  <bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>",
        )
    )
    with unit_of_work(platform.write_sessions) as db:
        create_service(db, analyst, process_id=SERVICE, title="Дозвіл")
        draft = save_draft(db, analyst, SERVICE, xml)
        assert not draft.has_errors, draft.problems
        run = start_test_run(db, platform, analyst, SERVICE, draft.number)
    with unit_of_work(platform.write_sessions) as db:
        run = complete_test_step(db, platform, analyst, run.id, {"full_name": "Іван Петренко", "amount": "3"})

    assert run.open_step is not None and run.open_step.element_id == "review"
    assert run.data["notified"] is True
    assert any(line.startswith("notify: simulated service task") for line in run.history)
    assert any(line.startswith("wait: timer fired immediately") for line in run.history)
    assert any("timers fire immediately" in line for line in run.history)
