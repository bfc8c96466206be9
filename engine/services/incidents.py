"""Incidents: failures an administrator sees with element, message and stack, and resolves by retry, skip or cancel.

A retryable failure keeps the application "active" (the citizen sees "delayed, being handled"); a script error
sets it to "error" as before and also opens an incident.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.models import (
    Application,
    ApplicationStatus,
    HumanTask,
    Incident,
    IncidentKind,
    IncidentStatus,
    JobStatus,
    TaskStatus,
)
from engine.references import normalise_reference
from engine.runtime.cases import Case, StepResult
from engine.runtime.recovery import retry_failed, skip_failed
from engine.services.context import Actor, Platform
from engine.services.errors import ConcurrentUpdateError, ConflictError, ForbiddenError, NotFoundError
from engine.services.views import manifest_of
from engine.services.worklist_sync import sync_worklist
from engine.store import applications, audit, catalog, tasks
from engine.store import incidents as incident_store
from engine.store import jobs as job_store


@dataclass(frozen=True)
class IncidentView:
    id: int
    reference: str | None
    service_title: str
    application_status: str | None
    element_id: str | None
    message: str
    stack: str
    kind: str
    status: str
    job_kind: str | None
    job_attempts: int | None
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN.value


def open_incident(
    db: Session,
    *,
    application: Application | None,
    element_id: str | None,
    message: str,
    stack: str,
    kind: str,
    job_id: int | None = None,
) -> Incident:
    incident = incident_store.add(
        db,
        Incident(
            application_id=application.id if application else None,
            element_id=element_id,
            message=message,
            stack=stack,
            kind=kind,
            status=IncidentStatus.OPEN.value,
            job_id=job_id,
        ),
    )
    audit.record(
        db,
        action="incident.opened",
        actor_id=None,
        actor="engine",
        application_id=incident.application_id,
        element_id=element_id,
        details={"incident": incident.id, "kind": kind, "message": message, "job": job_id},
    )
    return incident


def has_open_incident(db: Session, application_id: int) -> bool:
    return incident_store.has_open(db, application_id)


def list_incidents(db: Session, actor: Actor, *, status: str | None = IncidentStatus.OPEN.value) -> list[IncidentView]:
    _admin(actor)
    return [_view(db, i) for i in incident_store.listing(db, status=status or None)]


def get_incident(db: Session, actor: Actor, incident_id: int) -> IncidentView:
    _admin(actor)
    return _view(db, _incident(db, incident_id))


def retry_incident(db: Session, platform: Platform, actor: Actor, incident_id: int) -> IncidentView:
    """Run the failed work again: re-queue the job now, or re-run the failed script step."""
    _admin(actor)
    incident = _open(db, incident_id)
    if incident.job_id is not None:
        job = job_store.lock(db, incident.job_id)
        if job is None:
            raise ConflictError(f"the job of incident {incident_id} no longer exists")
        job.status = JobStatus.QUEUED.value
        job.attempts = 0
        job.run_at = platform.clock.now()
        job.locked_by = None
        job.locked_until = None
    else:
        application = _application_of(db, incident)
        _rerun(db, platform, actor, application, retry_failed)
    _resolve(db, platform, actor, incident, IncidentStatus.RESOLVED, "retried")
    return _view(db, incident)


def skip_incident(db: Session, platform: Platform, actor: Actor, incident_id: int, reason: str) -> IncidentView:
    """Continue past the failed step without doing its work; the reason is kept and audited."""
    from engine.services.jobs import SKIP_HOOKS  # here: the job runner imports this module

    _admin(actor)
    reason = reason.strip()
    if not reason:
        raise ConflictError("a reason is required to skip")
    incident = _open(db, incident_id)
    if incident.job_id is not None:
        job = job_store.lock(db, incident.job_id)
        if job is not None:
            if incident.application_id is not None:
                applications.lock(db, incident.application_id)
            hook = SKIP_HOOKS.get(job.kind)
            if hook is not None:
                hook(db, platform, job, actor, reason)
            job.status = JobStatus.DONE.value
            job.last_error = f"skipped: {reason}"
    else:
        application = _application_of(db, incident)
        _rerun(db, platform, actor, application, skip_failed)
    _resolve(db, platform, actor, incident, IncidentStatus.SKIPPED, reason)
    return _view(db, incident)


def cancel_application(db: Session, platform: Platform, actor: Actor, reference: str, reason: str) -> None:
    """Stop an application for good: open steps cancelled, queued work dropped, open incidents closed."""
    _admin(actor)
    reason = reason.strip()
    if not reason:
        raise ConflictError("a reason is required to cancel")
    found = applications.find_by_reference(db, normalise_reference(reference) or "")
    if found is None:
        raise NotFoundError(reference)
    application = applications.lock(db, found.id)
    if application.status in (ApplicationStatus.COMPLETED.value, ApplicationStatus.CANCELLED.value):
        raise ConflictError(f"application {application.reference} is already closed")
    now = platform.clock.now()
    for task in tasks.open_for_application(db, application.id):
        tasks.close(db, task, status=TaskStatus.CANCELLED, by_id=None, at=now)
    for job in job_store.for_application(db, application.id):
        if job.status in (JobStatus.QUEUED.value, JobStatus.RUNNING.value):
            job.status = JobStatus.DONE.value
            job.last_error = "application cancelled"
    for incident in incident_store.open_for_application(db, application.id):
        _resolve(db, platform, actor, incident, IncidentStatus.RESOLVED, f"application cancelled: {reason}")
    application.status = ApplicationStatus.CANCELLED.value
    application.closed_at = now
    application.updated_at = now
    audit.record(
        db,
        action="application.cancelled",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=application.id,
        details={"reason": reason},
    )
    _flush(db, application)


def save_after_run(
    db: Session,
    platform: Platform,
    application: Application,
    case: Case,
    result: StepResult,
    *,
    completed_task: HumanTask | None = None,
) -> None:
    """Store a case the engine just advanced (a human step, recovery, a timer, a service task): state, status,
    worklist, mail and the service tasks it reached, all in the caller's transaction."""
    from engine.services.notification_events import notify_after_step  # here: avoids an import cycle
    from engine.services.service_tasks import enqueue_service_tasks  # here: it imports this module

    now = platform.clock.now()
    manifest = manifest_of(application.service_version)
    record_result(db, application, result, manifest_outcomes=manifest.end_events, now=now)
    application.state_json = case.dump()
    application.data_json = json.dumps(case.current_data(), ensure_ascii=False, default=str)
    application.updated_at = now
    sync_worklist(db, application, case, manifest, now)
    notify_after_step(db, platform, application, completed_task=completed_task)
    enqueue_service_tasks(db, platform, application, case)
    _flush(db, application)


def record_result(
    db: Session,
    application: Application,
    result: StepResult,
    *,
    manifest_outcomes: dict[str, str],
    now: datetime,
) -> None:
    """Mark the application failed (with an incident) or completed after the engine ran."""
    if result.failed:
        message = result.error_message or "error"
        application.status = ApplicationStatus.ERROR.value
        application.error_element = result.error_element
        application.error_message = message
        audit.record(
            db,
            action="application.error",
            actor_id=None,
            actor="engine",
            application_id=application.id,
            element_id=result.error_element,
            details={"message": message},
        )
        open_incident(
            db,
            application=application,
            element_id=result.error_element,
            message=message,
            stack="",
            kind=incident_kind_of(message),
        )
        return
    if result.completed:
        application.status = ApplicationStatus.COMPLETED.value
        application.outcome = result.end_event
        application.outcome_name = manifest_outcomes.get(result.end_event or "", result.end_event)
        application.closed_at = now
        audit.record(
            db,
            action="application.completed",
            actor_id=None,
            actor="engine",
            application_id=application.id,
            element_id=result.end_event,
            details={"outcome": result.end_event, "outcome_name": application.outcome_name},
        )


def _rerun(
    db: Session, platform: Platform, actor: Actor, application: Application, how: Callable[[Case], StepResult]
) -> None:
    application = applications.lock(db, application.id)
    version = application.service_version
    case = Case.load(
        catalog.get_spec_json(db, version.spec_digest), application.state_json, platform.script_engine, platform.clock
    )
    result = how(case)
    if application.status == ApplicationStatus.ERROR.value:
        application.status = ApplicationStatus.ACTIVE.value
        application.error_element = None
        application.error_message = None
    save_after_run(db, platform, application, case, result)


def _resolve(
    db: Session, platform: Platform, actor: Actor, incident: Incident, status: IncidentStatus, resolution: str
) -> None:
    incident.status = status.value
    incident.resolved_at = platform.clock.now()
    incident.resolved_by = actor.username
    incident.resolution = resolution
    audit.record(
        db,
        action=f"incident.{status.value}",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=incident.application_id,
        element_id=incident.element_id,
        details={"incident": incident.id, "resolution": resolution},
    )


def _flush(db: Session, application: Application) -> None:
    try:
        db.flush()
    except StaleDataError as exc:
        raise ConcurrentUpdateError(application.reference) from exc


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("administrators only")


def _incident(db: Session, incident_id: int) -> Incident:
    incident = incident_store.get(db, incident_id)
    if incident is None:
        raise NotFoundError(str(incident_id))
    return incident


def _open(db: Session, incident_id: int) -> Incident:
    incident = _incident(db, incident_id)
    if incident.status != IncidentStatus.OPEN.value:
        raise ConflictError(f"incident {incident_id} is already {incident.status}")
    return incident


def _application_of(db: Session, incident: Incident) -> Application:
    application = applications.get(db, incident.application_id) if incident.application_id else None
    if application is None:
        raise ConflictError(f"incident {incident.id} has no application to run again")
    return application


def _view(db: Session, incident: Incident) -> IncidentView:
    application = applications.get(db, incident.application_id) if incident.application_id else None
    job = job_store.get(db, incident.job_id) if incident.job_id else None
    return IncidentView(
        id=incident.id,
        reference=application.reference if application else None,
        service_title=application.service_version.title if application else "",
        application_status=application.status if application else None,
        element_id=incident.element_id,
        message=incident.message,
        stack=incident.stack,
        kind=incident.kind,
        status=incident.status,
        job_kind=job.kind if job else None,
        job_attempts=job.attempts if job else None,
        created_at=incident.created_at,
        resolved_at=incident.resolved_at,
        resolved_by=incident.resolved_by,
        resolution=incident.resolution,
    )


def incident_kind_of(message: str) -> str:
    """Classify an engine failure message: an uncaught BPMN error event, or a script/engine error."""
    return IncidentKind.BPMN_ERROR.value if message.startswith("uncaught BPMN") else IncidentKind.SCRIPT.value
