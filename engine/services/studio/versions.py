"""Reading service versions in the studio: every version of every service, drafts included."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest, StepInfo
from engine.bpmn.problems import Problem, Severity, has_errors
from engine.models import Service, ServiceVersion
from engine.services.context import Actor
from engine.services.errors import NotFoundError
from engine.services.studio import require_analyst, xmledit
from engine.store import catalog, studio


@dataclass(frozen=True)
class VersionInfo:
    service_id: str
    number: int
    status: str
    title: str
    created_by: str
    created_at: datetime
    published_by: str
    published_at: datetime | None
    problems: list[Problem]
    has_errors: bool


@dataclass(frozen=True)
class StudioVersion(VersionInfo):
    xml: str
    manifest: ServiceManifest | None
    steps: list[StepInfo]
    process_properties: dict[str, str]


@dataclass(frozen=True)
class StudioService:
    id: str
    title: str
    current_number: int | None
    versions: list[VersionInfo]  # newest first


def problems_of(version: ServiceVersion) -> list[Problem]:
    return [
        Problem(p["file"], p["element"], p["message"], Severity(p["severity"]))
        for p in json.loads(version.problems_json or "[]")
    ]


def manifest_or_none(version: ServiceVersion) -> ServiceManifest | None:
    data = json.loads(version.manifest_json or "{}")
    return ServiceManifest.from_dict(data) if data else None


def version_info(service: Service, version: ServiceVersion) -> VersionInfo:
    problems = problems_of(version)
    return VersionInfo(
        service_id=service.process_id,
        number=version.number,
        status=version.status,
        title=version.title,
        created_by=version.created_by,
        created_at=version.deployed_at,
        published_by=version.published_by,
        published_at=version.published_at,
        problems=problems,
        has_errors=has_errors(problems),
    )


def studio_version(service: Service, version: ServiceVersion) -> StudioVersion:
    manifest = manifest_or_none(version)
    steps = sorted(manifest.steps.values(), key=lambda s: not s.is_start) if manifest else []
    try:
        properties = xmledit.read_process_properties(version.bpmn_xml)
    except xmledit.XmlEditError:
        properties = {name: "" for name in xmledit.PROCESS_PROPERTIES} | {"title": version.title}
    return StudioVersion(
        **version_info(service, version).__dict__,
        xml=version.bpmn_xml,
        manifest=manifest,
        steps=steps,
        process_properties=properties,
    )


def find_service(db: Session, service_id: str) -> Service:
    service = catalog.find_service(db, service_id)
    if service is None:
        raise NotFoundError(service_id)
    return service


def find_version(db: Session, service: Service, number: int) -> ServiceVersion:
    version = studio.find_version(db, service.id, number)
    if version is None:
        raise NotFoundError(f"{service.process_id} v{number}")
    return version


def list_studio_services(db: Session, actor: Actor) -> list[StudioService]:
    require_analyst(actor)
    found = []
    for service in studio.list_services(db):
        versions = sorted(service.versions, key=lambda v: v.number, reverse=True)
        current = service.current_version
        title = current.title if current else (versions[0].title if versions else service.process_id)
        found.append(
            StudioService(
                id=service.process_id,
                title=title,
                current_number=current.number if current else None,
                versions=[version_info(service, v) for v in versions],
            )
        )
    return found


def get_version(db: Session, actor: Actor, service_id: str, number: int) -> StudioVersion:
    require_analyst(actor)
    service = find_service(db, service_id)
    return studio_version(service, find_version(db, service, number))
