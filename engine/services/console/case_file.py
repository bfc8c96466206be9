"""One case as the operator console shows it: where it stands on its diagram, its steps with who and when, what
it waits for, incidents, files, mails with their delivery status and every audit event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import Application, AuditEvent, Incident, OutboxMessage
from engine.references import normalise_reference
from engine.runtime.cases import Case
from engine.runtime.pausing import WaitingEvent, element_path, waiting_events
from engine.services.cases.access import can_view_application
from engine.services.console.search import console_scope, console_status
from engine.services.context import Actor, Platform
from engine.services.errors import NotFoundError
from engine.store import applications, attachments, case_file, outbox
from engine.store.case_search import OpenTaskRow


@dataclass(frozen=True)
class StepRow:
    task_id: str
    element_id: str
    title: str
    status: str
    for_applicant: bool
    groups: list[str]
    assignee: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str


@dataclass(frozen=True)
class CaseFile:
    application: Application
    status: str
    service_id: str
    version_number: int
    version_id: int
    path: list[str]
    """Element ids done (the path taken)."""
    current: list[str]
    """Element ids where the case stands: open steps and the events it waits for."""
    steps: list[StepRow]
    waiting: list[WaitingEvent]
    incidents: list[Incident]
    attachments: list[Any]
    mails: list[OutboxMessage]
    events: list[AuditEvent]

    @property
    def open_steps(self) -> list[StepRow]:
        return [s for s in self.steps if s.status == "open"]

    @property
    def is_closed(self) -> bool:
        return self.application.status in ("completed", "cancelled")


def find_case(db: Session, actor: Actor, reference: str) -> Application:
    """The case if the actor may operate on it: administrators any, officials those of their organisations."""
    console_scope(actor)
    normalised = normalise_reference(reference)
    application = applications.find_by_reference(db, normalised) if normalised else None
    if application is None or not (actor.is_admin or can_view_application(db, actor, application)):
        raise NotFoundError(reference)
    return application


def get_case_file(db: Session, platform: Platform, actor: Actor, reference: str) -> CaseFile:
    application = find_case(db, actor, reference)
    version = platform.caches.version(db, application.service_version_id)
    case = Case.load(
        platform.caches.spec_json(db, version.row.spec_digest),
        application.state_json,
        platform.script_engine,
        platform.clock,
    )
    steps = [_step(t) for t in case_file.tasks_of(db, application.id)]
    waiting = waiting_events(case) if not case.is_completed() else []
    incidents = list(case_file.incidents_of(db, application.id))
    open_rows = [
        OpenTaskRow(application.id, s.element_id, s.title, s.assignee, s.due_at, s.for_applicant)
        for s in steps
        if s.status == "open"
    ]
    has_incident = any(i.status == "open" for i in incidents)
    current = [s.element_id for s in steps if s.status == "open"] + [w.element_id for w in waiting]
    return CaseFile(
        application=application,
        status=console_status(application.status, open_rows, has_incident, session_now(db)),
        service_id=version.row.process_id,
        version_number=version.row.number,
        version_id=version.row.id,
        path=sorted(element_path(case) - set(current)),
        current=list(dict.fromkeys(current)),
        steps=steps,
        waiting=waiting,
        incidents=incidents,
        attachments=list(attachments.for_application(db, application.id)),
        mails=list(outbox.for_application(db, application.id)),
        events=list(case_file.audit_of(db, application.id)),
    )


def diagram_xml(db: Session, actor: Actor, reference: str) -> str:
    application = find_case(db, actor, reference)
    xml: str = application.service_version.bpmn_xml
    return xml


def event_details(event: AuditEvent) -> dict[str, Any]:
    """An audit event's details, without the answers typed into forms (the case page lists steps, not data)."""
    details: dict[str, Any] = json.loads(event.details_json or "{}")
    return {k: v for k, v in details.items() if k != "fields"}


def _step(task: Any) -> StepRow:
    return StepRow(
        task_id=task.id,
        element_id=task.element_id,
        title=task.title,
        status=task.status,
        for_applicant=task.for_applicant,
        groups=task.groups,
        assignee=task.assignee.username if task.assignee else "",
        created_at=task.created_at,
        due_at=task.due_at,
        completed_at=task.completed_at,
        completed_by=task.completed_by.username if task.completed_by else "",
    )
