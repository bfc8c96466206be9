"""Services, their versions and the engine specs (stored once by digest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, joinedload

from engine.models import ProcessSpec, Service, ServiceVersion, VersionStatus


def find_service(db: Session, process_id: str) -> Service | None:
    return db.scalar(
        select(Service).where(Service.process_id == process_id).options(joinedload(Service.current_version))
    )


def current_version_id(db: Session, process_id: str) -> int | None:
    """The id of the version the catalog offers for the service (None: unknown service, or none published)."""
    found: int | None = db.scalar(select(Service.current_version_id).where(Service.process_id == process_id))
    return found


def current_versions(db: Session) -> Sequence[ServiceVersion]:
    """The current published version of every service: what the catalog offers (never a draft)."""
    return db.scalars(
        select(ServiceVersion)
        .join(Service, Service.current_version_id == ServiceVersion.id)
        .where(ServiceVersion.status == VersionStatus.PUBLISHED.value)
        .options(joinedload(ServiceVersion.service))
        .order_by(ServiceVersion.title)
    ).all()


def get_version(db: Session, version_id: int) -> ServiceVersion | None:
    return db.get(ServiceVersion, version_id)


def get_spec_json(db: Session, digest: str | None) -> str:
    """A draft saved with errors has no spec: LookupError, as for a missing one."""
    spec = db.get(ProcessSpec, digest) if digest else None
    if spec is None:
        raise LookupError(f"engine spec {digest} is missing")
    return spec.spec_json


def ensure_spec(db: Session, digest: str, spec_json: str) -> None:
    if db.get(ProcessSpec, digest) is None:
        db.add(ProcessSpec(digest=digest, spec_json=spec_json))
        db.flush()


def add_service(db: Session, service: Service) -> None:
    db.add(service)
    db.flush()


def content_was_published(db: Session, service_id: int, content_digest: str) -> bool:
    """Whether this content was ever published for the service (a file deployed again must not undo the studio)."""
    return (
        db.scalar(
            select(ServiceVersion.id)
            .where(
                ServiceVersion.service_id == service_id,
                ServiceVersion.content_digest == content_digest,
                ServiceVersion.status != VersionStatus.DRAFT.value,
            )
            .limit(1)
        )
        is not None
    )


def next_version_number(db: Session, service_id: int) -> int:
    highest = db.scalar(select(func.max(ServiceVersion.number)).where(ServiceVersion.service_id == service_id))
    return (highest or 0) + 1


def add_version(db: Session, version: ServiceVersion) -> None:
    db.add(version)
    db.flush()


DEPLOY_LOCK_KEY = 7_305_001


def lock_deployments(db: Session) -> None:
    """Serialise deploys across hosts (PostgreSQL advisory lock; SQLite writers are serialised already)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEPLOY_LOCK_KEY})


def list_services(db: Session) -> Sequence[Service]:
    """Every service, drafts-only ones too, by process id (administrators' choices)."""
    return db.scalars(select(Service).options(joinedload(Service.current_version)).order_by(Service.process_id)).all()


def get_service(db: Session, service_id: int) -> Service | None:
    return db.get(Service, service_id)


@dataclass(frozen=True)
class VersionRow:
    """What running a case needs of its service version: never the diagram text itself."""

    id: int
    service_id: int
    process_id: str
    number: int
    spec_digest: str | None
    manifest_json: str
    title: str
    title_en: str
    organisation_slug: str
    category: str
    availability: str
    sla_days: int | None
    description_html: str
    description_en_html: str


def version_row(db: Session, version_id: int) -> VersionRow | None:
    row = db.execute(
        select(
            ServiceVersion.id,
            ServiceVersion.service_id,
            Service.process_id,
            ServiceVersion.number,
            ServiceVersion.spec_digest,
            ServiceVersion.manifest_json,
            ServiceVersion.title,
            ServiceVersion.title_en,
            ServiceVersion.organisation_slug,
            ServiceVersion.category,
            ServiceVersion.availability,
            ServiceVersion.sla_days,
            ServiceVersion.description_html,
            ServiceVersion.description_en_html,
        )
        .join(Service, Service.id == ServiceVersion.service_id)
        .where(ServiceVersion.id == version_id)
    ).one_or_none()
    return VersionRow(**row._asdict()) if row is not None else None
