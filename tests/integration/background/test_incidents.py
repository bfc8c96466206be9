"""Incidents: administrators see what failed and retry, skip or cancel; the citizen sees "delayed"."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.db import unit_of_work
from engine.models import Application, AuditEvent, Incident, Job, OutboxMessage
from engine.services.authoring.scenarios import load_scenarios, run_scenario
from engine.services.background.incidents import list_incidents
from engine.services.background.jobs import JobKindHandlers, enqueue_job
from engine.services.background.recovery import cancel_application, retry_incident, skip_incident
from engine.services.background.registry import JOB_KINDS
from engine.services.background.runner import run_due_jobs
from engine.services.cases.applications import start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Platform
from engine.services.errors import ForbiddenError
from engine.store import audit
from webapp import create_app

from .conftest import ActorOf

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
REGISTRY = {"up": False}

FAILING_SCRIPT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="https://example.org/t">
  <bpmn:process id="failing_fee" name="Тест збою" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="organisation" value="lubny-council" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="copies" label="Кількість примірників" type="long" />
    </camunda:formData></bpmn:extensionElements><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc_fee" name="Розрахунок збору" scriptFormat="python">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:script>fee = 100 / (copies - copies)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end_done" name="Готово"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="calc_fee" />
    <bpmn:sequenceFlow id="f1" sourceRef="calc_fee" targetRef="end_done" />
  </bpmn:process>
</bpmn:definitions>
"""


def call_registry(db: Session, platform: Platform, job: Job) -> None:
    if not REGISTRY["up"]:
        raise ConnectionError("registry unreachable")
    audit.record(db, action="test.registry.called", actor_id=None, actor="worker", application_id=job.application_id)


@pytest.fixture(autouse=True)
def _test_job_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Job kinds of these tests only, beside the platform's own."""
    monkeypatch.setitem(JOB_KINDS, "test.registry", JobKindHandlers(call_registry))


@pytest.fixture
def failing_fee(platform: Platform, tmp_path: Path) -> None:
    processes = tmp_path / "broken" / "processes"
    (processes / "failing_fee").mkdir(parents=True)
    (processes / "failing_fee" / "failing_fee.bpmn").write_text(FAILING_SCRIPT, encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=processes, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
    assert report.rejected == [], report.lines()


def _people(actor_of: ActorOf) -> dict[str, Any]:
    return {"applicant": actor_of("citizen"), "official": actor_of("official")}


def _stuck_job(platform: Platform, actor_of: ActorOf, clock: FakeClock) -> tuple[str, int]:
    """An application whose background call failed five times: an open incident, the application still active."""
    REGISTRY["up"] = False
    scenario = load_scenarios(PROJECT_ROOT / "processes" / "family_composition_certificate")[0]
    first = dataclasses.replace(scenario, steps=scenario.steps[:1])
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(
            db, platform, first, actors={"applicant": actor_of("citizen"), "official": actor_of("official")}
        )
        application = db.scalars(select(Application).where(Application.reference == result.reference)).one()
        enqueue_job(
            db, platform, kind="test.registry", payload={"element_id": "ask_registry"}, application_id=application.id
        )
    for _ in range(6):
        run_due_jobs(platform, worker_id="w")
        clock.advance(timedelta(minutes=10))
    with unit_of_work(platform.read_sessions) as db:
        incident = db.scalars(select(Incident)).one()
    return result.reference, incident.id


def _incident(platform: Platform, incident_id: int) -> Incident:
    with unit_of_work(platform.read_sessions) as db:
        found = db.get(Incident, incident_id)
        assert found is not None
        return found


def _application(platform: Platform, reference: str) -> Application:
    with unit_of_work(platform.read_sessions) as db:
        return db.scalars(select(Application).where(Application.reference == reference)).one()


def test_retry_after_the_fix_completes_the_work(platform: Platform, clock: FakeClock, actor_of: ActorOf) -> None:
    reference, incident_id = _stuck_job(platform, actor_of, clock)
    assert _application(platform, reference).status == "active"
    admin = actor_of("admin")
    with unit_of_work(platform.read_sessions) as db:
        (listed,) = list_incidents(db, admin)
        assert (listed.reference, listed.element_id, listed.job_kind) == (reference, "ask_registry", "test.registry")
        assert "ConnectionError: registry unreachable" in listed.message
        with pytest.raises(ForbiddenError):
            list_incidents(db, actor_of("official"))

    REGISTRY["up"] = True
    with unit_of_work(platform.write_sessions) as db:
        retry_incident(db, platform, admin, incident_id)
    assert run_due_jobs(platform, worker_id="w") == 1
    incident = _incident(platform, incident_id)
    assert (incident.status, incident.resolved_by, incident.resolution) == ("resolved", "admin", "retried")
    with unit_of_work(platform.read_sessions) as db:
        actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert list_incidents(db, admin) == []
    assert "test.registry.called" in actions and "incident.resolved" in actions


@pytest.mark.usefixtures("failing_fee")
def test_a_script_error_is_an_incident_and_skipping_it_continues_the_case(
    platform: Platform, clock: FakeClock, actor_of: ActorOf
) -> None:
    citizen = actor_of("citizen")
    with unit_of_work(platform.write_sessions) as db:
        started = start_application(db, platform, citizen, "failing_fee")
        (start,) = started.open_steps
        complete_task(db, platform, citizen, start.id, {"copies": 2})
    admin = actor_of("admin")
    with unit_of_work(platform.read_sessions) as db:
        (incident,) = list_incidents(db, admin)
    assert (incident.kind, incident.element_id, incident.application_status) == ("script", "calc_fee", "error")

    with unit_of_work(platform.write_sessions) as db:  # running the same script again fails again
        retry_incident(db, platform, admin, incident.id)
    with unit_of_work(platform.read_sessions) as db:
        (again,) = list_incidents(db, admin)
    assert again.id != incident.id and _application(platform, started.reference).status == "error"

    with unit_of_work(platform.write_sessions) as db:
        skip_incident(db, platform, admin, again.id, "fee waived by the head of the office")
    application = _application(platform, started.reference)
    assert (application.status, application.outcome) == ("completed", "end_done")
    assert _incident(platform, again.id).resolution == "fee waived by the head of the office"
    with unit_of_work(platform.read_sessions) as db:
        subjects = db.scalars(select(OutboxMessage.subject).where(OutboxMessage.application_id == application.id)).all()
    assert subjects == [f"Заяву {started.reference} отримано", f"Рішення за заявою {started.reference}"]


def test_cancel_closes_the_application_and_its_incident(
    platform: Platform, clock: FakeClock, actor_of: ActorOf
) -> None:
    reference, incident_id = _stuck_job(platform, actor_of, clock)
    with unit_of_work(platform.write_sessions) as db:
        cancel_application(db, platform, actor_of("admin"), reference, "duplicate application")
    application = _application(platform, reference)
    assert application.status == "cancelled" and application.closed_at == clock.now()
    assert _incident(platform, incident_id).status == "resolved"
    with unit_of_work(platform.read_sessions) as db:
        assert list_incidents(db, actor_of("admin")) == []


class Browser:
    def __init__(self, app: Flask, username: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.client.get("/login?lang=en")
        reply = self.post("/login", {"username": username, "password": "demo"}, token_from="/login")
        assert reply.status_code == 302

    def token(self, path: str) -> str:
        found = CSRF_RE.search(self.client.get(path).get_data(as_text=True))
        assert found, path
        return found.group(1)

    def post(self, path: str, data: dict[str, str], *, token_from: str) -> Any:
        return self.client.post(path, data={"csrf_token": self.token(token_from), **data})


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Flask:
    app = create_app(settings, platform=platform)
    assert app.config.get("WTF_CSRF_ENABLED", True)
    return app


def test_admin_pages_show_and_resolve_an_incident_and_the_citizen_sees_a_delay(
    app: Flask, platform: Platform, clock: FakeClock, actor_of: ActorOf
) -> None:
    reference, incident_id = _stuck_job(platform, actor_of, clock)
    citizen = Browser(app, "citizen")
    assert "Delayed, being handled" in citizen.client.get(f"/my/applications/{reference}").get_data(as_text=True)
    assert "Your application is delayed" in citizen.client.get(f"/status/{reference}").get_data(as_text=True)
    assert citizen.client.get("/admin/incidents").status_code == 403
    assert Browser(app, "official").client.get("/admin/").status_code == 403

    admin = Browser(app, "admin")
    assert "Incidents" in admin.client.get("/admin/").get_data(as_text=True)
    listing = admin.client.get("/admin/incidents").get_data(as_text=True)
    assert reference in listing and "registry unreachable" in listing
    page = f"/admin/incidents/{incident_id}"
    detail = admin.client.get(page).get_data(as_text=True)
    assert "ask_registry" in detail and "Traceback" in detail

    assert admin.client.post(f"{page}/skip", data={"skip_reason": "x"}).status_code == 400  # no CSRF token
    reply = admin.post(f"{page}/skip", {"skip_reason": " "}, token_from=page)
    assert reply.status_code == 422
    text = reply.get_data(as_text=True)
    assert "<title>Error: " in text and 'href="#field-skip_reason"' in text

    reply = admin.post(f"{page}/skip", {"skip_reason": "answer came by phone"}, token_from=page)
    assert reply.status_code == 302
    assert "There are no open incidents." in admin.client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Delayed" not in citizen.client.get(f"/my/applications/{reference}").get_data(as_text=True)
    skipped = admin.client.get("/admin/incidents?status=skipped").get_data(as_text=True)
    assert reference in skipped
