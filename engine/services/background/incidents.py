"""Incidents: failures an administrator sees with element, message and stack (retry, skip and cancel are in
`engine.services.background.recovery`).

A retryable failure keeps the application "active" (the citizen sees "delayed, being handled"); a script error
sets it to "error" and also opens an incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import Application, Incident, IncidentKind, IncidentStatus
from engine.services.context import Actor
from engine.services.errors import ConflictError, ForbiddenError, NotFoundError
from engine.store import applications, audit
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
    require_admin(actor)
    return [incident_view(db, i) for i in incident_store.listing(db, status=status or None)]


def get_incident(db: Session, actor: Actor, incident_id: int) -> IncidentView:
    require_admin(actor)
    return incident_view(db, find_incident(db, incident_id))


def resolve_incident(
    db: Session, actor: Actor, incident: Incident, status: IncidentStatus, resolution: str, *, at: datetime
) -> None:
    incident.status = status.value
    incident.resolved_at = at
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


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("administrators only")


def find_incident(db: Session, incident_id: int) -> Incident:
    incident = incident_store.get(db, incident_id)
    if incident is None:
        raise NotFoundError(str(incident_id))
    return incident


def open_incident_row(db: Session, incident_id: int) -> Incident:
    incident = find_incident(db, incident_id)
    if incident.status != IncidentStatus.OPEN.value:
        raise ConflictError(f"incident {incident_id} is already {incident.status}")
    return incident


def application_of(db: Session, incident: Incident) -> Application:
    application = applications.get(db, incident.application_id) if incident.application_id else None
    if application is None:
        raise ConflictError(f"incident {incident.id} has no application to run again")
    return application


def incident_view(db: Session, incident: Incident) -> IncidentView:
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
