"""The one step path: every change to a running case is lock → load → run → save, in the caller's transaction.

Whatever moves a case — a citizen's or official's form, the API, a timer, a message from another system, a
service task's result, an administrator's retry or skip, a migration to another version — goes through
`advance_case` (or `open_case` + `save_case` when the caller must look at the case between loading and running).
Saving writes, in the same transaction: the engine state, the status and outcome (or the failure with its
incident), the worklist, the citizen's mail and the service tasks the case reached. The caller commits once.

A step reads little: the application row (locked), the engine spec and the service version from the platform's
caches, and nothing else unless the case reached steps that need the directory or the calendar. Its writes are
flushed together at the end (`no_autoflush`), so rows of one table go in one statement.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.models import Application, ApplicationStatus, HumanTask
from engine.runtime.cases import Case, StepResult
from engine.runtime.service_tasks import ServiceCall, started_service_tasks
from engine.services.background.jobs import JobKind, enqueue_job
from engine.services.cache import VersionFacts
from engine.services.cases.outcome import record_result
from engine.services.cases.worklist_sync import WorklistChange, sync_worklist
from engine.services.context import Platform
from engine.services.errors import ConcurrentUpdateError, NotFoundError
from engine.services.mail.events import notify_after_step
from engine.store import applications, audit

DEFAULT_SERVICE_TASK_ATTEMPTS = 5
MAX_SERVICE_TASK_ATTEMPTS = 20


@dataclass
class OpenCase:
    """A locked application with its case loaded: what a step runs on.

    `open_before` holds the ids of the worklist rows open when the case was loaded (they equal its open steps);
    None when unknown (a new case, or one moved to another version), and the save then reads them.
    """

    application: Application
    case: Case
    version: VersionFacts
    open_before: set[str] | None = None
    closed: set[str] = field(default_factory=set)
    change: WorklistChange = field(default_factory=WorklistChange)
    events: list[dict[str, Any]] = field(default_factory=list)
    """Audit events of the step, written together when it is saved."""

    def record(self, db: Session, **event: Any) -> None:
        """Note an audit event of this step (application id filled in); written by `save_case`."""
        self.events.append(audit.row(db, application_id=self.application.id, **event))


def open_case(db: Session, platform: Platform, application_id: int) -> OpenCase:
    """Lock the application (no other step of it runs until the caller commits) and load its case."""
    try:
        application = applications.lock(db, application_id)
    except LookupError as exc:
        raise NotFoundError(str(application_id)) from exc
    return load_case(db, platform, application)


def load_case(db: Session, platform: Platform, application: Application) -> OpenCase:
    """Load the case of an application the caller has already locked (e.g. with the task being completed)."""
    version = platform.caches.version(db, application.service_version_id)
    spec_json = platform.caches.spec_json(db, version.row.spec_digest)
    case = Case.load(spec_json, application.state_json, platform.script_engine, platform.clock)
    return OpenCase(application, case, version, open_before={step.task_id for step in case.open_steps()})


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
) -> WorklistChange:
    """Store a case the engine just ran: state, status, worklist, mail and the service tasks it reached."""
    application, case = opened.application, opened.case
    now = platform.clock.now()
    manifest = opened.version.manifest
    with db.no_autoflush:
        record_result(db, opened, result, manifest_outcomes=manifest.end_events, now=now)
        application.state_json = case.dump()
        application.data_json = json.dumps(case.current_data(), ensure_ascii=False, default=str)
        application.updated_at = now
        application.next_timer_at = case.next_timer_at()  # the timer worker's index
        if application.id is None:
            flush_case(db, application)  # a new application: its row first, the worklist refers to it
        open_before = None if opened.open_before is None else opened.open_before - opened.closed
        opened.change = sync_worklist(db, platform.caches, application, case, manifest, now, open_before=open_before)
        notify_after_step(db, platform, application, completed_task=completed_task, new_tasks=opened.change.added)
        enqueue_service_tasks(db, platform, application, case)
    flush_case(db, application)
    audit.record_many(db, opened.events)
    opened.events.clear()
    return opened.change


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
    if calls and application.id is None:
        db.flush()  # a brand-new application: its id is needed by the jobs
    for call in calls:
        enqueue_job(
            db,
            platform,
            kind=JobKind.SERVICE_TASK,
            payload={"task_id": call.task_id, "element_id": call.element_id, "topic": call.topic},
            application_id=application.id,
            dedupe_key=f"{JobKind.SERVICE_TASK}:{application.id}:{call.task_id}",
            max_attempts=_attempts(call),
            fetch=False,
        )
    return len(calls)


def _attempts(call: ServiceCall) -> int:
    """`retries` (an input of http_call, or of any handler) sets the attempts: retries + 1."""
    retries = call.inputs.get("retries")
    if isinstance(retries, int | float) and not isinstance(retries, bool):
        return max(1, min(int(retries) + 1, MAX_SERVICE_TASK_ATTEMPTS))
    return DEFAULT_SERVICE_TASK_ATTEMPTS
