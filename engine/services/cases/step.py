"""The one step path: every change to a running case is lock → load → run → save, in the caller's transaction.

Whatever moves a case — a citizen's or official's form, the API, a timer, a message from another system, a
service task's result, an administrator's retry or skip, a migration to another version — goes through
`advance_case` (or `open_case` + `save_case` when the caller must look at the case between loading and running).
Saving writes, in the same transaction: the engine state, the status and outcome (or the failure with its
incident), the worklist, the citizen's mail and the service tasks the case reached. The caller commits once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.bpmn.manifest import ServiceManifest
from engine.models import Application, ApplicationStatus, HumanTask
from engine.runtime.cases import Case, StepResult
from engine.runtime.service_tasks import ServiceCall, started_service_tasks
from engine.services.background.jobs import JobKind, enqueue_job
from engine.services.cases.outcome import record_result
from engine.services.cases.views import manifest_of
from engine.services.cases.worklist_sync import sync_worklist
from engine.services.context import Platform
from engine.services.errors import ConcurrentUpdateError, NotFoundError
from engine.services.mail.events import notify_after_step
from engine.store import applications, catalog

DEFAULT_SERVICE_TASK_ATTEMPTS = 5
MAX_SERVICE_TASK_ATTEMPTS = 20


@dataclass
class OpenCase:
    """A locked application with its case loaded: what a step runs on."""

    application: Application
    case: Case

    @property
    def manifest(self) -> ServiceManifest:
        return manifest_of(self.application.service_version)


def open_case(db: Session, platform: Platform, application_id: int) -> OpenCase:
    """Lock the application (no other step of it runs until the caller commits) and load its case."""
    try:
        application = applications.lock(db, application_id)
    except LookupError as exc:
        raise NotFoundError(str(application_id)) from exc
    spec_json = catalog.get_spec_json(db, application.service_version.spec_digest)
    case = Case.load(spec_json, application.state_json, platform.script_engine, platform.clock)
    return OpenCase(application, case)


def advance_case(
    db: Session,
    platform: Platform,
    application_id: int,
    run: Callable[[Case], StepResult],
    *,
    completed_task: HumanTask | None = None,
) -> OpenCase:
    """Lock, load, `run`, save: the whole step, in the caller's transaction."""
    opened = open_case(db, platform, application_id)
    save_case(db, platform, opened, run(opened.case), completed_task=completed_task)
    return opened


def save_case(
    db: Session,
    platform: Platform,
    opened: OpenCase,
    result: StepResult,
    *,
    completed_task: HumanTask | None = None,
) -> None:
    """Store a case the engine just ran: state, status, worklist, mail and the service tasks it reached."""
    application, case = opened.application, opened.case
    now = platform.clock.now()
    manifest = opened.manifest
    record_result(db, application, result, manifest_outcomes=manifest.end_events, now=now)
    application.state_json = case.dump()
    application.data_json = json.dumps(case.current_data(), ensure_ascii=False, default=str)
    application.updated_at = now
    sync_worklist(db, application, case, manifest, now)
    notify_after_step(db, platform, application, completed_task=completed_task)
    enqueue_service_tasks(db, platform, application, case)
    flush_case(db, application)


def flush_case(db: Session, application: Application) -> None:
    """Write the step's changes now; another writer that changed the application meanwhile is a conflict."""
    try:
        db.flush()
    except StaleDataError as exc:
        raise ConcurrentUpdateError(application.reference) from exc


def enqueue_service_tasks(db: Session, platform: Platform, application: Application, case: Case) -> int:
    """Queue a job for every service task the case parked (one per task: calling twice queues nothing new)."""
    if application.status != ApplicationStatus.ACTIVE.value:
        return 0
    calls = started_service_tasks(case)
    for call in calls:
        enqueue_job(
            db,
            platform,
            kind=JobKind.SERVICE_TASK,
            payload={"task_id": call.task_id, "element_id": call.element_id, "topic": call.topic},
            application_id=application.id,
            dedupe_key=f"{JobKind.SERVICE_TASK}:{application.id}:{call.task_id}",
            max_attempts=_attempts(call),
        )
    return len(calls)


def _attempts(call: ServiceCall) -> int:
    """`retries` (an input of http_call, or of any handler) sets the attempts: retries + 1."""
    retries = call.inputs.get("retries")
    if isinstance(retries, int | float) and not isinstance(retries, bool):
        return max(1, min(int(retries) + 1, MAX_SERVICE_TASK_ATTEMPTS))
    return DEFAULT_SERVICE_TASK_ATTEMPTS
