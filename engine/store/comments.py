"""Comments on a case (notes and messages)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Attachment, CaseComment


def add(db: Session, comment: CaseComment) -> None:
    db.add(comment)
    db.flush()


def for_application(db: Session, application_id: int, *, to_citizen_only: bool = False) -> Sequence[CaseComment]:
    query = select(CaseComment).where(CaseComment.application_id == application_id)
    if to_citizen_only:
        query = query.where(CaseComment.to_citizen.is_(True))
    return db.scalars(query.order_by(CaseComment.id)).all()


def comment_of_attachment(db: Session, attachment_id: str) -> tuple[int, bool] | None:
    """(application id, sent to the citizen) of the comment a file was sent with, if any."""
    row = db.execute(
        select(CaseComment.application_id, CaseComment.to_citizen).where(CaseComment.attachment_id == attachment_id)
    ).first()
    return None if row is None else (row.application_id, row.to_citizen)


def attachment_names(db: Session, attachment_ids: Sequence[str]) -> dict[str, str]:
    if not attachment_ids:
        return {}
    rows = db.execute(select(Attachment.id, Attachment.filename).where(Attachment.id.in_(list(attachment_ids))))
    return {row.id: row.filename for row in rows}
