"""Service versions in the studio: every save is a new draft; publishing makes one immutable and current."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest
from engine.bpmn.problems import Problem, Severity, has_errors
from engine.bpmn.xml import MAX_BPMN_BYTES
from engine.db import session_now
from engine.forms import Form
from engine.models import Service, ServiceVersion, VersionStatus
from engine.runtime.specs import spec_digest
from engine.services.authoring.checking import CheckedFile, check_bytes
from engine.services.context import Actor
from engine.services.errors import ConflictError, NotFoundError, VersionHasErrorsError, VersionNotDraftError
from engine.services.studio import require_analyst, xmledit
from engine.services.studio.forms import studio_form_loader
from engine.services.studio.inline_forms import preview_inline_form
from engine.services.studio.versions import (
    StudioService,
    StudioVersion,
    VersionInfo,
    find_service,
    find_version,
    get_version,
    list_studio_services,
    manifest_or_none,
    problems_of,
    studio_version,
)
from engine.store import audit, catalog, studio
from engine.text import render_markdown

PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,199}$")

__all__ = [
    "ServiceExistsError",
    "StudioService",
    "StudioVersion",
    "VersionHasErrorsError",
    "VersionInfo",
    "VersionNotDraftError",
    "create_service",
    "get_version",
    "inline_form_of",
    "list_studio_services",
    "manifest_or_none",
    "problems_of",
    "publish",
    "retire",
    "save_draft",
    "update_process_properties",
    "update_step",
    "update_step_form",
]


class ServiceExistsError(ConflictError):
    """A service with this process id exists already."""


def _check(db: Session, service: Service, xml: str) -> CheckedFile:
    data = xml.encode("utf-8")
    if len(data) > MAX_BPMN_BYTES:
        raise ValueError(f"the diagram is larger than {MAX_BPMN_BYTES // 1024} KiB")
    name = f"{service.process_id}.bpmn"
    checked = check_bytes(data, studio_form_loader(db), name=name)
    if checked.manifest is not None and checked.manifest.process_id != service.process_id:
        checked.problems.insert(
            0,
            Problem(
                name,
                checked.manifest.process_id,
                f"the process id must stay {service.process_id!r}: it names the service",
            ),
        )
    return checked


def _save(db: Session, actor: Actor, service: Service, xml: str) -> ServiceVersion:
    checked = _check(db, service, xml)
    manifest = checked.manifest
    version = ServiceVersion(
        service_id=service.id,
        number=catalog.next_version_number(db, service.id),
        content_digest=checked.content_digest or hashlib.sha256(xml.encode("utf-8")).hexdigest(),
        bpmn_xml=xml,
        manifest_json=json.dumps(manifest.to_dict(), ensure_ascii=False) if manifest else "{}",
        spec_digest=None,
        status=VersionStatus.DRAFT.value,
        created_by=actor.username,
        deployed_by=actor.username,
        problems_json=json.dumps([p.to_dict() for p in checked.problems], ensure_ascii=False),
    )
    _copy_catalog_fields(version, manifest, fallback_title=_current_title(service))
    catalog.add_version(db, version)
    errors = sum(p.severity is Severity.ERROR for p in checked.problems)
    _audit(db, actor, service, version, "studio.draft_saved", errors=errors)
    return version


def _current_title(service: Service) -> str:
    return service.current_version.title if service.current_version else service.process_id


def _copy_catalog_fields(version: ServiceVersion, manifest: ServiceManifest | None, *, fallback_title: str) -> None:
    if manifest is None:
        version.title = fallback_title
        return
    version.title = manifest.title
    version.title_en = manifest.title_en
    version.description_html = render_markdown(manifest.description)
    version.description_en_html = render_markdown(manifest.description_en)
    version.category = manifest.category
    version.organisation_slug = manifest.organisation
    version.sla_days = manifest.sla_days
    version.availability = manifest.availability


def create_service(db: Session, actor: Actor, *, process_id: str, title: str) -> StudioVersion:
    """A new service with a start and an end event, saved as draft 1 (not in the catalog until published)."""
    require_analyst(actor)
    if not PROCESS_ID.match(process_id):
        raise ValueError("the service id must start with a letter and use letters, digits, '_' or '-'")
    if not title.strip():
        raise ValueError("the service needs a title")
    if catalog.find_service(db, process_id) is not None:
        raise ServiceExistsError(process_id)
    service = Service(process_id=process_id, source_path=f"studio:{process_id}")
    catalog.add_service(db, service)
    version = _save(db, actor, service, xmledit.minimal_diagram(process_id, title.strip()))
    return studio_version(service, version)


def save_draft(db: Session, actor: Actor, service_id: str, xml: str) -> StudioVersion:
    """Check and store the diagram as a new draft, errors and all; ValueError only when it is too large."""
    require_analyst(actor)
    service = find_service(db, service_id)
    return studio_version(service, _save(db, actor, service, xml))


def _edit_source(db: Session, service: Service, number: int) -> str:
    return find_version(db, service, number).bpmn_xml


def update_process_properties(
    db: Session, actor: Actor, service_id: str, number: int, props: dict[str, str]
) -> StudioVersion:
    """Change catalog properties of a version's diagram and save the result as a new draft."""
    require_analyst(actor)
    service = find_service(db, service_id)
    xml = xmledit.set_process_properties(_edit_source(db, service, number), props)
    return studio_version(service, _save(db, actor, service, xml))


def update_step(
    db: Session,
    actor: Actor,
    service_id: str,
    number: int,
    element_id: str,
    *,
    name: str,
    form_key: str | None,
    candidate_groups: str,
    assignee: str,
) -> StudioVersion:
    """Change a start event's or user task's name, form and people, saved as a new draft."""
    require_analyst(actor)
    service = find_service(db, service_id)
    try:
        xml = xmledit.update_step(
            _edit_source(db, service, number),
            element_id,
            name=name,
            form_key=form_key,
            candidate_groups=candidate_groups,
            assignee=assignee,
        )
    except xmledit.XmlEditError as exc:
        if "no start event or user task" in str(exc):
            raise NotFoundError(element_id) from exc
        raise
    return studio_version(service, _save(db, actor, service, xml))


def publish(db: Session, actor: Actor, service_id: str, number: int) -> StudioVersion:
    """Make a draft without errors immutable and what the catalog offers; running applications stay put."""
    require_analyst(actor)
    catalog.lock_deployments(db)
    service = find_service(db, service_id)
    version = find_version(db, service, number)
    if version.status != VersionStatus.DRAFT.value:
        raise VersionNotDraftError(f"{service_id} v{number} is {version.status}")
    checked = _check(db, service, version.bpmn_xml)  # forms may have changed since the save
    version.problems_json = json.dumps([p.to_dict() for p in checked.problems], ensure_ascii=False)
    if has_errors(checked.problems) or not checked.ok or checked.manifest is None or checked.spec_json is None:
        db.flush()
        raise VersionHasErrorsError(f"{service_id} v{number} has errors")
    digest = spec_digest(checked.spec_json)
    catalog.ensure_spec(db, digest, checked.spec_json)
    version.spec_digest = digest
    version.manifest_json = json.dumps(checked.manifest.to_dict(), ensure_ascii=False)
    version.content_digest = checked.content_digest
    _copy_catalog_fields(version, checked.manifest, fallback_title=version.title)
    version.status = VersionStatus.PUBLISHED.value
    version.published_by = actor.username
    version.published_at = session_now(db)
    service.current_version_id = version.id
    db.flush()
    _audit(db, actor, service, version, "studio.published")
    db.refresh(service)
    return studio_version(service, version)


def retire(db: Session, actor: Actor, service_id: str, number: int) -> StudioVersion:
    """Withdraw a published version; the catalog falls back to the newest remaining published one (or none)."""
    require_analyst(actor)
    service = find_service(db, service_id)
    version = find_version(db, service, number)
    if version.status != VersionStatus.PUBLISHED.value:
        raise ConflictError(f"{service_id} v{number} is {version.status}, not published")
    version.status = VersionStatus.RETIRED.value
    db.flush()
    if service.current_version_id == version.id:
        newest = studio.newest_published(db, service.id)
        service.current_version_id = newest.id if newest else None
    db.flush()
    _audit(db, actor, service, version, "studio.retired")
    db.refresh(service)
    return studio_version(service, version)


def update_step_form(
    db: Session,
    actor: Actor,
    service_id: str,
    number: int,
    element_id: str,
    document_or_form: Form | dict[str, Any] | None,
) -> StudioVersion:
    """Write a step's inline fields (`camunda:formData`, replacing any formKey) and save a new draft.

    A form document (the editor's JSON) is parsed first; FormDefinitionError (naming the field) when the form
    cannot be written inline, and nothing is saved then. None or a form without fields removes the inline form.
    """
    require_analyst(actor)
    service = find_service(db, service_id)
    form = preview_inline_form(document_or_form) if isinstance(document_or_form, dict) else document_or_form
    try:
        xml = xmledit.set_inline_form(_edit_source(db, service, number), element_id, form)
    except xmledit.XmlEditError as exc:
        if "no start event or user task" in str(exc):
            raise NotFoundError(element_id) from exc
        raise
    return studio_version(service, _save(db, actor, service, xml))


def inline_form_of(db: Session, actor: Actor, service_id: str, number: int, element_id: str) -> Form | None:
    """The step's inline form as the diagram holds it (None without one); NotFoundError for an unknown step."""
    require_analyst(actor)
    service = find_service(db, service_id)
    try:
        return xmledit.read_step_inline_form(_edit_source(db, service, number), element_id)
    except xmledit.XmlEditError as exc:
        if "no start event or user task" in str(exc):
            raise NotFoundError(element_id) from exc
        raise


def _audit(db: Session, actor: Actor, service: Service, version: ServiceVersion, action: str, **details: Any) -> None:
    audit.record(
        db,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        element_id=service.process_id,
        details={"version": version.number, **details},
    )
