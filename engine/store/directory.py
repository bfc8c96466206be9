"""Accounts, organisations, groups and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OrganisationFacts:
    id: int
    slug: str
    name: str
    name_en: str


@dataclass(frozen=True)
class GroupFacts:
    id: int
    slug: str
    name: str
    organisation_id: int


@dataclass(frozen=True)
class DirectorySnapshot:
    """Organisations and groups as plain values, safe to share between sessions (and cached by every host)."""

    organisations: dict[int, OrganisationFacts]
    groups: dict[str, GroupFacts]

    def organisation(self, slug: str) -> OrganisationFacts | None:
        return next((o for o in self.organisations.values() if o.slug == slug), None)


def snapshot(db: Session) -> DirectorySnapshot:
    organisations = {
        row.id: OrganisationFacts(row.id, row.slug, row.name, row.name_en)
        for row in db.execute(select(Organisation.id, Organisation.slug, Organisation.name, Organisation.name_en))
    }
    groups = {
        row.slug: GroupFacts(row.id, row.slug, row.name, row.organisation_id)
        for row in db.execute(select(Group.id, Group.slug, Group.name, Group.organisation_id))
    }
    return DirectorySnapshot(organisations, groups)
