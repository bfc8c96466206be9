"""Test runs: an analyst plays every role of a version in a sandbox.

A run is a case in memory, compiled fresh from the version's XML (drafts have no stored spec) and saved
to its own `test_run` row after every step. It never creates applications, worklist tasks, application
audit events or statistics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest, StepInfo
from engine.bpmn.xml import XmlProblemError, parse_xml
from engine.db import session_now
from engine.forms import Form, clean_form_data
from engine.models import ServiceVersion, TestRun, TestRunStatus
from engine.runtime.cases import Case, StepNotOpenError, StepResult
from engine.runtime.specs import SpecCompileError, compile_spec
from engine.services.authoring.simulated_tasks import drive
from engine.services.context import Actor, Platform
from engine.services.errors import NotFoundError, TaskNotOpenError, ValidationFailedError, VersionHasErrorsError
from engine.services.studio import require_analyst
from engine.services.studio.versions import manifest_or_none
from engine.store import attachments, catalog, studio

EMPTY_FORM = Form.single_page(None, None, ())


@dataclass(frozen=True)
class TestRunView:
    __test__ = False  # not a pytest test class

    id: int
    service_id: str
    number: int
    status: str
    outcome: str | None
    outcome_name: str | None
    error_message: str | None
    open_step: StepInfo | None
    role: str  # "applicant" or the comma-joined groups (users, assignee) who would do the open step
    data: dict[str, Any]
    history: list[str]


@lru_cache(maxsize=32)
def _spec_of(xml: str, process_id: str) -> str:
    return compile_spec(parse_xml(xml.encode("utf-8")), filename=f"{process_id}.bpmn", process_id=process_id)


def _runnable(version: ServiceVersion) -> tuple[str, ServiceManifest]:
    manifest = manifest_or_none(version)
    if manifest is None:
        raise VersionHasErrorsError("the diagram cannot be read; fix its errors first")
    try:
        return _spec_of(version.bpmn_xml, manifest.process_id), manifest
    except (SpecCompileError, XmlProblemError) as exc:
        raise VersionHasErrorsError(f"the engine cannot run this version: {exc}") from exc


def role_of(step: StepInfo) -> str:
    if step.for_applicant:
        return "applicant"
    people = step.groups or step.candidate_users or ((step.assignee,) if step.assignee else ())
    return ",".join(people)


def _view(run: TestRun, manifest: ServiceManifest, case: Case | None) -> TestRunView:
    open_step = None
    if case is not None and run.status == TestRunStatus.ACTIVE:
        steps = case.open_steps()
        open_step = manifest.step(steps[0].element_id) if steps else None
    version = run_version(run)
    return TestRunView(
        id=run.id,
        service_id=manifest.process_id,
        number=version.number,
        status=run.status,
        outcome=run.outcome,
        outcome_name=manifest.end_events.get(run.outcome, run.outcome) if run.outcome else None,
        error_message=run.error_message,
        open_step=open_step,
        role=role_of(open_step) if open_step else "",
        data=json.loads(run.data_json or "{}"),
        history=json.loads(run.history_json or "[]"),
    )


def run_version(run: TestRun) -> ServiceVersion:
    version = run.version
    assert version is not None
    return version


def start_test_run(db: Session, platform: Platform, actor: Actor, service_id: str, number: int) -> TestRunView:
    require_analyst(actor)
    service = catalog.find_service(db, service_id)
    version = studio.find_version(db, service.id, number) if service else None
    if version is None:
        raise NotFoundError(f"{service_id} v{number}")
    spec_json, manifest = _runnable(version)
    case = Case.new(spec_json, platform.script_engine, platform.clock)
    now = session_now(db)
    run = TestRun(
        service_version_id=version.id,
        analyst_id=actor.user_id,
        state_json=case.dump(),
        data_json="{}",
        history_json="[]",
        status=TestRunStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    studio.add_test_run(db, run)
    return _view(run, manifest, case)


def _own_run(db: Session, actor: Actor, run_id: int) -> TestRun:
    require_analyst(actor)
    run = studio.get_test_run(db, run_id)
    if run is None or (run.analyst_id != actor.user_id and not actor.is_admin):
        raise NotFoundError(str(run_id))
    return run


def get_test_run(db: Session, actor: Actor, run_id: int) -> TestRunView:
    run = _own_run(db, actor, run_id)
    spec_json, manifest = _runnable(run_version(run))
    case = Case.load(spec_json, run.state_json, None) if run.status == TestRunStatus.ACTIVE else None
    return _view(run, manifest, case)


def complete_test_step(db: Session, platform: Platform, actor: Actor, run_id: int, raw: dict[str, Any]) -> TestRunView:
    """Do the open step of the run with `raw` answers, validated as the real step would validate them."""
    run = _own_run(db, actor, run_id)
    if run.status != TestRunStatus.ACTIVE:
        raise TaskNotOpenError(str(run_id))
    spec_json, manifest = _runnable(run_version(run))
    case = Case.load(spec_json, run.state_json, platform.script_engine, platform.clock)
    steps = case.open_steps()
    if not steps:
        raise TaskNotOpenError(str(run_id))
    step = steps[0]
    info = manifest.step(step.element_id)
    form = info.form if info is not None and info.form is not None else EMPTY_FORM
    cleaned, errors = clean_form_data(form, raw, attachment_exists=lambda a: attachments.get(db, str(a)) is not None)
    if errors:
        raise ValidationFailedError(form, errors)
    try:
        result = case.complete(step.task_id, cleaned)
    except StepNotOpenError as exc:
        raise TaskNotOpenError(str(run_id)) from exc
    history: list[str] = json.loads(run.history_json or "[]")
    who = role_of(info) if info else ""
    history.append(f"{info.name if info else step.element_id} ({who})" if who else step.element_id)
    # Automated steps never reach the outside world in a sandbox: service tasks are simulated, timers fire at once.
    automatic: list[dict[str, Any]] = []
    notes: list[str] = []
    result = drive(case, result, automatic, notes)
    history.extend(f"{entry['task']}: {entry['lane']}" for entry in automatic)
    history.extend(note for note in dict.fromkeys(notes))
    _apply(run, result, history)
    run.state_json = case.dump()
    run.data_json = json.dumps(case.current_data(), ensure_ascii=False, default=str)
    run.history_json = json.dumps(history, ensure_ascii=False)
    run.updated_at = session_now(db)
    db.flush()
    return _view(run, manifest, case)


def _apply(run: TestRun, result: StepResult, history: list[str]) -> None:
    if result.failed:
        run.status = TestRunStatus.ERROR
        run.error_message = (
            f"{result.error_element}: {result.error_message}" if result.error_element else (result.error_message)
        )
        history.append(f"error: {run.error_message}")
    elif result.completed:
        run.status = TestRunStatus.COMPLETED
        run.outcome = result.end_event
        history.append(f"end: {result.end_event}")
