"""External identities: which account a provider's subject signs in to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.models import ExternalIdentity, User


def find(db: Session, provider: str, subject: str) -> ExternalIdentity | None:
    """The identity (with its account and the account's groups: what a sign-in needs), if linked."""
    return db.scalar(
        select(ExternalIdentity)
        .where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
        .options(selectinload(ExternalIdentity.user).selectinload(User.groups))
    )


def of_user(db: Session, user_id: int) -> Sequence[ExternalIdentity]:
    return db.scalars(
        select(ExternalIdentity).where(ExternalIdentity.user_id == user_id).order_by(ExternalIdentity.provider)
    ).all()


def add(db: Session, identity: ExternalIdentity) -> None:
    db.add(identity)
    db.flush()


def delete(db: Session, identity: ExternalIdentity) -> None:
    db.delete(identity)
    db.flush()


def usernames_taken(db: Session, candidates: Sequence[str]) -> set[str]:
    """Which of these usernames an account already has."""
    return set(db.scalars(select(User.username).where(User.username.in_(candidates))))
