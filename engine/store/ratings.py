"""Ratings of completed cases: one row per case."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import CaseRating


def for_application(db: Session, application_id: int) -> CaseRating | None:
    return db.scalar(select(CaseRating).where(CaseRating.application_id == application_id))


def add(db: Session, rating: CaseRating) -> None:
    db.add(rating)
    db.flush()
