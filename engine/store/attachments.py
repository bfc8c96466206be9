"""Attachment metadata (the bytes are files named by id under the upload directory)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine.models import Attachment
from engine.store import statements


def get(db: Session, attachment_id: str) -> Attachment | None:
    return db.get(Attachment, attachment_id)


def get_many(db: Session, attachment_ids: Sequence[str]) -> dict[str, Attachment]:
    if not attachment_ids:
        return {}
    return {a.id: a for a in db.scalars(select(Attachment).where(Attachment.id.in_(list(attachment_ids))))}


def add(db: Session, attachment: Attachment) -> None:
    db.add(attachment)
    db.flush()


def link_to_application(db: Session, ids: Sequence[str], *, owner_id: int, application_id: int) -> None:
    """Attach the citizen's own, still unattached uploads to the application they were submitted with."""
    if ids:
        statements.run(db, _LINK, {"ids": list(ids), "owner": owner_id, "to_application": application_id})


_LINK = (
    update(Attachment)
    .where(
        Attachment.id.in_(bindparam("ids", expanding=True)),
        Attachment.owner_id == bindparam("owner"),
        Attachment.application_id.is_(None),
    )
    .values(application_id=bindparam("to_application"))
)


def for_application(db: Session, application_id: int) -> Sequence[Attachment]:
    return db.scalars(
        select(Attachment).where(Attachment.application_id == application_id).order_by(Attachment.created_at)
    ).all()
