"""Starting applications and reading them, for applicants, officials and the public status page."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import Application, ApplicationStatus, ServiceVersion
from engine.references import new_reference, normalise_reference
from engine.runtime.cases import Case, StepResult
from engine.services.cases.access import can_view_application, is_candidate
from engine.services.cases.history import history_of
from engine.services.cases.step import OpenCase, save_case
from engine.services.cases.views import (
    AnswerSection,
    ApplicationView,
    AttachmentView,
    manifest_of,
    task_view,
)
from engine.services.catalog.listing import summary_of
from engine.services.context import Actor, Platform
from engine.services.errors import ForbiddenError, NotFoundError, ServiceUnavailableError
from engine.store import applications, attachments, audit, catalog, directory, tasks
from engine.store import incidents as incident_store


def start_application(db: Session, platform: Platform, actor: Actor, service_id: str) -> ApplicationView:
    """Create the application with its start form open; it is submitted when that form is completed."""
    if actor.user_id is None:
        raise ForbiddenError("sign in to apply")
    service = catalog.find_service(db, service_id)
    if service is None or service.current_version is None:
        raise NotFoundError(service_id)
    version = service.current_version
    if version.availability != "online":
        raise ServiceUnavailableError(service_id)
    manifest = manifest_of(version)
    case = Case.new(catalog.get_spec_json(db, version.spec_digest), platform.script_engine, platform.clock)
    organisation = directory.find_organisation(db, manifest.organisation) if manifest.organisation else None
    now = platform.clock.now()
    application = Application(
        reference=_unique_reference(db),
        service_version_id=version.id,
        service_version=version,
        applicant_id=actor.user_id,
        organisation_id=organisation.id if organisation else None,
        status=ApplicationStatus.ACTIVE.value,
        state_json="{}",
        created_at=now,
        updated_at=now,
    )
    applications.add(db, application)
    save_case(db, platform, OpenCase(application, case), StepResult(completed=False))
    audit.record(
        db,
        action="application.created",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=application.id,
        details={"service": service_id, "version": version.number},
    )
    return build_view(db, actor, application)


def _unique_reference(db: Session) -> str:
    for _ in range(20):
        reference = new_reference()
        if not applications.reference_exists(db, reference):
            return reference
    raise RuntimeError("could not find a free reference number")


def get_application(db: Session, actor: Actor, reference: str) -> ApplicationView:
    application = _visible(db, actor, reference)
    return build_view(db, actor, application)


def _visible(db: Session, actor: Actor, reference: str) -> Application:
    normalised = normalise_reference(reference)
    application = applications.find_by_reference(db, normalised) if normalised else None
    if application is None or not can_view_application(db, actor, application):
        raise NotFoundError(reference)
    return application


def public_status(db: Session, reference: str) -> ApplicationView:
    """What anyone holding the reference may see: service, status, dates and steps, no personal data."""
    normalised = normalise_reference(reference)
    application = applications.find_by_reference(db, normalised) if normalised else None
    if application is None or application.submitted_at is None:
        raise NotFoundError(reference)
    full = build_view(db, None, application)
    return ApplicationView(
        **{
            **full.__dict__,
            "applicant": "",
            "data": {},
            "answers": [],
            "attachments": [],
            "tasks": [],
            "error_message": None,
            "error_element": None,
            "history": [h for h in full.history if h.event != "task.claimed"],
        }
    )


def list_my_applications(db: Session, actor: Actor) -> list[ApplicationView]:
    if actor.user_id is None:
        return []
    return [build_view(db, actor, a, light=True) for a in applications.list_for_applicant(db, actor.user_id)]


def build_view(db: Session, actor: Actor | None, application: Application, *, light: bool = False) -> ApplicationView:
    version: ServiceVersion = application.service_version
    manifest = manifest_of(version)
    locale = actor.locale if actor else "uk"
    now = session_now(db)
    open_tasks = tasks.open_for_application(db, application.id)
    open_views = [task_view(t, manifest, locale=locale, now=now) for t in open_tasks]
    mine = [view for view, t in zip(open_views, open_tasks, strict=True) if actor and is_candidate(actor, t)]
    data = json.loads(application.data_json or "{}")
    return ApplicationView(
        reference=application.reference,
        service=summary_of(db, version),
        status=application.status,
        outcome=application.outcome,
        outcome_name=application.outcome_name,
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        closed_at=application.closed_at,
        updated_at=application.updated_at,
        applicant=application.applicant.full_name or application.applicant.username,
        organisation_name=application.organisation.name if application.organisation else "",
        error_element=application.error_element,
        error_message=application.error_message,
        tasks=mine,
        open_steps=open_views,
        history=[] if light else history_of(db, application, manifest),
        data=data,
        answers=[] if light else _answers(db, application, data),
        attachments=[] if light else _attachments(db, application.id),
        version=application.version,
        has_open_incident=incident_store.has_open(db, application.id),
    )


def _answers(db: Session, application: Application, data: dict[str, object]) -> list[AnswerSection]:
    manifest = manifest_of(application.service_version)
    sections: list[AnswerSection] = []
    seen: set[str] = set()
    for task in tasks.completed_for_application(db, application.id):
        step = manifest.step(task.element_id)
        if step is None or step.form is None or task.element_id in seen:
            continue
        seen.add(task.element_id)
        values = {f.name: data[f.name] for f in step.form.input_fields if f.name in data}
        sections.append(AnswerSection(title=step.name, form=step.form, values=values))
    return sections


def _attachments(db: Session, application_id: int) -> list[AttachmentView]:
    return [
        AttachmentView(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size)
        for a in attachments.for_application(db, application_id)
    ]
