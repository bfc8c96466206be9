"""Services, their versions and the engine specs (stored once by digest)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, joinedload

from engine.models import ProcessSpec, Service, ServiceVersion, VersionStatus


def find_service(db: Session, process_id: str) -> Service | None:
    return db.scalar(
        select(Service).where(Service.process_id == process_id).options(joinedload(Service.current_version))
    )


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
