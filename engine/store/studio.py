"""Studio queries: every version of a service (drafts included), form documents and sandbox test runs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.models import FormDocument, Service, ServiceVersion, TestRun, VersionStatus


def list_services(db: Session) -> Sequence[Service]:
    """Every service with all its versions, drafts included."""
    return db.scalars(select(Service).options(selectinload(Service.versions)).order_by(Service.process_id)).all()


def find_version(db: Session, service_id: int, number: int) -> ServiceVersion | None:
    return db.scalar(
        select(ServiceVersion).where(ServiceVersion.service_id == service_id, ServiceVersion.number == number)
    )


def newest_published(db: Session, service_id: int) -> ServiceVersion | None:
    return db.scalar(
        select(ServiceVersion)
        .where(ServiceVersion.service_id == service_id, ServiceVersion.status == VersionStatus.PUBLISHED.value)
        .order_by(ServiceVersion.number.desc())
        .limit(1)
    )


def find_form_document(db: Session, key: str) -> FormDocument | None:
    return db.scalar(select(FormDocument).where(FormDocument.key == key))


def list_form_documents(db: Session) -> Sequence[FormDocument]:
    return db.scalars(select(FormDocument).order_by(FormDocument.key)).all()


def add_form_document(db: Session, document: FormDocument) -> None:
    db.add(document)
    db.flush()


def add_test_run(db: Session, run: TestRun) -> None:
    db.add(run)
    db.flush()


def get_test_run(db: Session, run_id: int) -> TestRun | None:
    return db.get(TestRun, run_id)
