"""Second factors (TOTP secrets and recovery-code hashes), one row per account."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.models import SecondFactor


def get(db: Session, user_id: int) -> SecondFactor | None:
    return db.get(SecondFactor, user_id)


def get_for_update(db: Session, user_id: int) -> SecondFactor | None:
    """Locked until the transaction ends, so two requests never accept the same code or recovery code."""
    return db.scalar(select(SecondFactor).where(SecondFactor.user_id == user_id).with_for_update())


def add(db: Session, factor: SecondFactor) -> None:
    db.add(factor)
    db.flush()


def delete_for(db: Session, user_id: int) -> bool:
    """Remove the account's second factor; False when it had none."""
    found = db.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    return bool(getattr(found, "rowcount", 0))
