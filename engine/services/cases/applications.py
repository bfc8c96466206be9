"""Starting applications and reading them, for applicants, officials and the public status page.

Two depths of view: `light_view` (what a write answers with, and lists) reads nothing beyond what the caller
holds, and `full_view` adds one page of history, the answers by step, the attachments and the incident flag.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import Application, ApplicationStatus, HumanTask
from engine.references import new_reference, normalise_reference
from engine.runtime.cases import Case, StepResult
from engine.services.cache import VersionFacts, caches_of
from engine.services.cases.access import can_view_application, is_candidate
from engine.services.cases.history import PUBLIC_EVENTS, HistoryPage, history_of
from engine.services.cases.step import OpenCase, save_case
from engine.services.cases.views import AnswerSection, ApplicationView, AttachmentView, task_view
from engine.services.context import Actor, Platform
from engine.services.errors import ForbiddenError, NotFoundError, ServiceUnavailableError
from engine.store import applications, attachments, audit, catalog, tasks
from engine.store import incidents as incident_store


def start_application(db: Session, platform: Platform, actor: Actor, service_id: str) -> ApplicationView:
    """Create the application with its start form open; it is submitted when that form is completed."""
    if actor.user_id is None:
        raise ForbiddenError("sign in to apply")
    version_id = catalog.current_version_id(db, service_id)
    if version_id is None:
        raise NotFoundError(service_id)
    version = platform.caches.version(db, version_id)
    if version.row.availability != "online":
        raise ServiceUnavailableError(service_id)
    manifest = version.manifest
    case = Case.new(platform.caches.spec_json(db, version.row.spec_digest), platform.script_engine, platform.clock)
    organisation = platform.caches.directory(db).organisation(manifest.organisation) if manifest.organisation else None
    now = platform.clock.now()
    application = Application(
        reference=_unique_reference(db),
        service_version_id=version.row.id,
        applicant_id=actor.user_id,
        organisation_id=organisation.id if organisation else None,
        status=ApplicationStatus.ACTIVE.value,
        created_at=now,
        updated_at=now,
    )
    opened = OpenCase(application, case, version, open_before=set())
    applications.add_pending(db, application)  # inserted with its state when the step is saved
    change = save_case(db, platform, opened, StepResult(completed=False))
    created = {"service": service_id, "version": version.row.number}
    audit.record_many(
        db,
        [
            audit.row(
                db,
                action="application.created",
                actor_id=actor.user_id,
                actor=actor.username,
                application_id=application.id,
                details=created,
            )
        ],
    )
    return light_view(db, actor, application, version, change.added)


def _unique_reference(db: Session) -> str:
    for _ in range(20):
        reference = new_reference()
        if not applications.reference_exists(db, reference):
            return reference
    raise RuntimeError("could not find a free reference number")


def get_application(db: Session, actor: Actor, reference: str, *, history_page: int = 1) -> ApplicationView:
    application = _visible(db, actor, reference)
    return full_view(db, actor, application, history_page=history_page)


def get_application_summary(db: Session, actor: Actor, reference: str) -> ApplicationView:
    """The light view (no history, answers or files): a confirmation page, a write's answer."""
    application = _visible(db, actor, reference)
    version = caches_of(db).version(db, application.service_version_id)
    return light_view(db, actor, application, version, tasks.open_for_application(db, application.id))


def _visible(db: Session, actor: Actor, reference: str) -> Application:
    normalised = normalise_reference(reference)
    application = applications.find_by_reference(db, normalised) if normalised else None
    if application is None or not can_view_application(db, actor, application):
        raise NotFoundError(reference)
    return application


def public_status(db: Session, reference: str, *, history_page: int = 1) -> ApplicationView:
    """What anyone holding the reference may see: service, status, dates and steps, no personal data."""
    normalised = normalise_reference(reference)
    application = applications.find_by_reference(db, normalised) if normalised else None
    if application is None or application.submitted_at is None:
        raise NotFoundError(reference)
    full = full_view(db, None, application, history_page=history_page, events=PUBLIC_EVENTS)
    return replace(
        full, applicant="", data={}, answers=[], attachments=[], tasks=[], error_message=None, error_element=None
    )


def list_my_applications(db: Session, actor: Actor) -> list[ApplicationView]:
    if actor.user_id is None:
        return []
    found = applications.list_for_applicant(db, actor.user_id)
    delayed = incident_store.applications_with_open(db, [a.id for a in found])
    open_rows = tasks.open_for_applications(db, [a.id for a in found])
    caches = caches_of(db)
    return [
        replace(
            light_view(db, actor, a, caches.version(db, a.service_version_id), open_rows.get(a.id, [])),
            has_open_incident=a.id in delayed,
        )
        for a in found
    ]


def light_view(
    db: Session, actor: Actor | None, application: Application, version: VersionFacts, open_rows: Sequence[HumanTask]
) -> ApplicationView:
    """The application with the open tasks the caller holds (`open_rows`); no history, answers or files."""
    manifest = version.manifest
    locale = actor.locale if actor else "uk"
    now = session_now(db)
    directory = caches_of(db).directory(db)
    organisation = directory.organisations.get(application.organisation_id or -1)
    service_organisation = directory.organisation(version.row.organisation_slug)
    people = {actor.user_id: actor.username} if actor is not None and actor.user_id is not None else {}
    open_views = [
        task_view(t, manifest, locale=locale, now=now, reference=application.reference, known_people=people)
        for t in open_rows
    ]
    mine = [view for view, t in zip(open_views, open_rows, strict=True) if actor and is_candidate(actor, t)]
    return ApplicationView(
        reference=application.reference,
        service=version.summary(service_organisation.name if service_organisation else ""),
        status=application.status,
        outcome=application.outcome,
        outcome_name=application.outcome_name,
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        closed_at=application.closed_at,
        updated_at=application.updated_at,
        applicant="",
        organisation_name=organisation.name if organisation else "",
        error_element=application.error_element,
        error_message=application.error_message,
        tasks=mine,
        open_steps=open_views,
        history=None,
        data=json.loads(application.data_json or "{}"),
        answers=[],
        attachments=[],
        version=application.version,
    )


def full_view(
    db: Session,
    actor: Actor | None,
    application: Application,
    *,
    history_page: int = 1,
    events: tuple[str, ...] | None = None,
) -> ApplicationView:
    """The application as its page shows it: open steps, one page of history, answers, files, incidents."""
    version = caches_of(db).version(db, application.service_version_id)
    light = light_view(db, actor, application, version, tasks.open_for_application(db, application.id))
    history: HistoryPage = (
        history_of(db, application, version.manifest, page=history_page)
        if events is None
        else history_of(db, application, version.manifest, page=history_page, events=events)
    )
    return replace(
        light,
        applicant=application.applicant.full_name or application.applicant.username,
        history=history.items,
        history_page=history.page,
        history_pages=history.pages,
        history_total=history.total,
        answers=_answers(db, application, version, light.data),
        attachments=_attachments(db, application.id),
        has_open_incident=incident_store.has_open(db, application.id),
    )


def _answers(
    db: Session, application: Application, version: VersionFacts, data: dict[str, object]
) -> list[AnswerSection]:
    """The answers given at each step that was done, in the order the steps were first done."""
    sections: list[AnswerSection] = []
    for element_id in tasks.completed_elements(db, application.id):
        step = version.manifest.step(element_id)
        if step is None or step.form is None:
            continue
        values = {f.name: data[f.name] for f in step.form.input_fields if f.name in data}
        sections.append(AnswerSection(title=step.name, form=step.form, values=values))
    return sections


def _attachments(db: Session, application_id: int) -> list[AttachmentView]:
    return [
        AttachmentView(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size)
        for a in attachments.for_application(db, application_id)
    ]
