"""Getting an application past an incident: retry the failed work, skip it (with a reason), or cancel the application.

Retrying or skipping a failed script step is a step of the case like any other (`engine.services.cases.step`);
retrying a failed job queues it again; skipping one does the job's effect without its work (its kind's skip hook).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from engine.models import Application, ApplicationStatus, Incident, IncidentStatus, JobStatus, TaskStatus
from engine.references import normalise_reference
from engine.runtime.cases import Case, StepResult
from engine.runtime.recovery import retry_failed, skip_failed
from engine.services.background.incidents import (
    IncidentView,
    application_of,
    incident_view,
    open_incident_row,
    require_admin,
    resolve_incident,
)
from engine.services.background.registry import JOB_KINDS
from engine.services.cases.step import flush_case, open_case, save_case
from engine.services.context import Actor, Platform
from engine.services.errors import ConflictError, NotFoundError
from engine.store import applications, audit, tasks
from engine.store import incidents as incident_store
from engine.store import jobs as job_store


def retry_incident(db: Session, platform: Platform, actor: Actor, incident_id: int) -> IncidentView:
    """Run the failed work again: re-queue the job now, or re-run the failed script step."""
    require_admin(actor)
    incident = open_incident_row(db, incident_id)
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
        _rerun(db, platform, application_of(db, incident), retry_failed)
    _resolve(db, platform, actor, incident, IncidentStatus.RESOLVED, "retried")
    return incident_view(db, incident)


def skip_incident(db: Session, platform: Platform, actor: Actor, incident_id: int, reason: str) -> IncidentView:
    """Continue past the failed step without doing its work; the reason is kept and audited."""
    require_admin(actor)
    reason = reason.strip()
    if not reason:
        raise ConflictError("a reason is required to skip")
    incident = open_incident_row(db, incident_id)
    if incident.job_id is not None:
        if incident.application_id is not None:
            applications.lock(db, incident.application_id)  # the application first, as the job runner does
        job = job_store.lock(db, incident.job_id)
        if job is not None:
            handlers = JOB_KINDS.get(job.kind)
            if handlers is not None and handlers.on_skip is not None:
                handlers.on_skip(db, platform, job, actor, reason)
            job.status = JobStatus.DONE.value
            job.last_error = f"skipped: {reason}"
    else:
        _rerun(db, platform, application_of(db, incident), skip_failed)
    _resolve(db, platform, actor, incident, IncidentStatus.SKIPPED, reason)
    return incident_view(db, incident)


def cancel_application(db: Session, platform: Platform, actor: Actor, reference: str, reason: str) -> None:
    """Stop an application for good: open steps cancelled, queued work dropped, open incidents closed."""
    require_admin(actor)
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
    flush_case(db, application)


def _rerun(db: Session, platform: Platform, application: Application, how: Callable[[Case], StepResult]) -> None:
    opened = open_case(db, platform, application.id)
    result = how(opened.case)
    locked = opened.application
    if locked.status == ApplicationStatus.ERROR.value:
        locked.status = ApplicationStatus.ACTIVE.value
        locked.error_element = None
        locked.error_message = None
    save_case(db, platform, opened, result)


def _resolve(
    db: Session, platform: Platform, actor: Actor, incident: Incident, status: IncidentStatus, resolution: str
) -> None:
    resolve_incident(db, actor, incident, status, resolution, at=platform.clock.now())
