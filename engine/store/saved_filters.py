"""Officials' saved queue filters."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import SavedQueueFilter


def of_user(db: Session, user_id: int) -> Sequence[SavedQueueFilter]:
    return db.scalars(
        select(SavedQueueFilter).where(SavedQueueFilter.user_id == user_id).order_by(SavedQueueFilter.name)
    ).all()


def by_name(db: Session, user_id: int, name: str) -> SavedQueueFilter | None:
    return db.scalar(select(SavedQueueFilter).where(SavedQueueFilter.user_id == user_id, SavedQueueFilter.name == name))


def count_of_user(db: Session, user_id: int) -> int:
    return int(db.scalar(select(func.count(SavedQueueFilter.id)).where(SavedQueueFilter.user_id == user_id)) or 0)


def get(db: Session, filter_id: int) -> SavedQueueFilter | None:
    return db.get(SavedQueueFilter, filter_id)


def add(db: Session, row: SavedQueueFilter) -> None:
    db.add(row)
    db.flush()


def delete(db: Session, row: SavedQueueFilter) -> None:
    db.delete(row)
    db.flush()
