"""Services, their versions and the engine specs (stored once by digest)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session, joinedload

from engine.models import ProcessSpec, Service, ServiceVersion


def find_service(db: Session, process_id: str) -> Service | None:
    return db.scalar(
        select(Service).where(Service.process_id == process_id).options(joinedload(Service.current_version))
    )


def current_versions(db: Session) -> Sequence[ServiceVersion]:
    """The newest deployed version of every service: what the catalog offers."""
    return db.scalars(
        select(ServiceVersion)
        .join(Service, Service.current_version_id == ServiceVersion.id)
        .options(joinedload(ServiceVersion.service))
        .order_by(ServiceVersion.title)
    ).all()


def get_version(db: Session, version_id: int) -> ServiceVersion | None:
    return db.get(ServiceVersion, version_id)


def get_spec_json(db: Session, digest: str) -> str:
    spec = db.get(ProcessSpec, digest)
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


def add_version(db: Session, version: ServiceVersion) -> None:
    db.add(version)
    db.flush()


DEPLOY_LOCK_KEY = 7_305_001


def lock_deployments(db: Session) -> None:
    """Serialise deploys across hosts (PostgreSQL advisory lock; SQLite writers are serialised already)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEPLOY_LOCK_KEY})
