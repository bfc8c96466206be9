"""Accounts, organisations, groups and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from engine.models import ApiToken, Group, Organisation, SignInThrottle, User


def get_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def find_user(db: Session, username: str) -> User | None:
    return db.scalar(select(User).where(User.username == username).options(selectinload(User.groups)))


def list_users(db: Session) -> Sequence[User]:
    return db.scalars(select(User).order_by(User.username)).all()


def find_organisation(db: Session, slug: str) -> Organisation | None:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))


def list_organisations(db: Session) -> Sequence[Organisation]:
    return db.scalars(select(Organisation).order_by(Organisation.name)).all()


def find_group(db: Session, slug: str) -> Group | None:
    return db.scalar(select(Group).where(Group.slug == slug))


def groups_by_slug(db: Session, slugs: Sequence[str]) -> dict[str, Group]:
    if not slugs:
        return {}
    return {g.slug: g for g in db.scalars(select(Group).where(Group.slug.in_(slugs)))}


def add(db: Session, obj: User | Group | Organisation | ApiToken) -> None:
    db.add(obj)
    db.flush()


def find_token(db: Session, digest: str, now: datetime) -> ApiToken | None:
    return db.scalar(
        select(ApiToken)
        .where(ApiToken.digest == digest, ApiToken.expires_at > now)
        .options(selectinload(ApiToken.user).selectinload(User.groups))
    )


def delete_expired_tokens(db: Session, now: datetime) -> None:
    db.execute(delete(ApiToken).where(ApiToken.expires_at <= now))


def throttle_for_update(db: Session, key: str) -> SignInThrottle | None:
    return db.scalar(select(SignInThrottle).where(SignInThrottle.key == key).with_for_update())


def add_throttle(db: Session, throttle: SignInThrottle) -> None:
    db.add(throttle)
    db.flush()


def delete_throttle(db: Session, key: str) -> None:
    db.execute(delete(SignInThrottle).where(SignInThrottle.key == key))


def supervisor_groups(db: Session, organisation_id: int) -> Sequence[Group]:
    """The organisation's supervisor groups with their members (who hear of escalations)."""
    return (
        db.scalars(
            select(Group)
            .where(Group.organisation_id == organisation_id, Group.is_supervisor.is_(True))
            .options(selectinload(Group.members))
        )
        .unique()
        .all()
    )
