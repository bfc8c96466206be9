"""Comments on a case (notes and messages)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import CaseComment


def add(db: Session, comment: CaseComment) -> None:
    db.add(comment)
    db.flush()


def for_application(db: Session, application_id: int, *, to_citizen_only: bool = False) -> Sequence[CaseComment]:
    query = select(CaseComment).where(CaseComment.application_id == application_id)
    if to_citizen_only:
        query = query.where(CaseComment.to_citizen.is_(True))
    return db.scalars(query.order_by(CaseComment.id)).all()
