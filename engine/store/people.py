"""Accounts as the administrators' pages see them: searched, paged, with groups; API tokens ended at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from engine.models import Group, Organisation, SecondFactor, User, group_member


@dataclass(frozen=True)
class PeopleFilter:
    """What the people list is narrowed by; empty values do not narrow."""

    text: str = ""
    """Part of the name, username or e-mail (any letter case)."""
    role: str = ""
    organisation_id: int | None = None
    active: bool | None = None


def _filtered(query: Select[Any], found: PeopleFilter) -> Select[Any]:
    if found.text:
        like = f"%{found.text.casefold()}%"
        query = query.where(
            or_(
                func.lower(User.username).like(like),
                func.lower(User.full_name).like(like),
                func.lower(User.email).like(like),
                # SQLite's lower() folds ASCII only: match the typed letters as well as their folded form.
                User.full_name.like(f"%{found.text}%"),
            )
        )
    if found.role:
        query = query.where(User.role == found.role)
    if found.organisation_id is not None:
        members = (
            select(group_member.c.user_id)
            .join(Group, Group.id == group_member.c.group_id)
            .where(Group.organisation_id == found.organisation_id)
        )
        query = query.where(User.id.in_(members))
    if found.active is not None:
        query = query.where(User.active.is_(found.active))
    return query


def count_people(db: Session, found: PeopleFilter) -> int:
    query = _filtered(select(User), found).with_only_columns(func.count(User.id))
    return int(db.scalar(query) or 0)


def page_of_people(db: Session, found: PeopleFilter, *, offset: int, limit: int) -> Sequence[User]:
    """By username, with their groups."""
    query = _filtered(select(User), found).options(selectinload(User.groups)).order_by(User.username)
    return db.scalars(query.offset(offset).limit(limit)).all()


def person(db: Session, user_id: int) -> User | None:
    """The account with its groups (and their organisations)."""
    return db.scalar(
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.groups).selectinload(Group.organisation))
        .execution_options(populate_existing=True)
    )


def username_taken(db: Session, username: str) -> bool:
    return db.scalar(select(User.id).where(func.lower(User.username) == username.casefold())) is not None


def count_active_admins(db: Session, *, role: str) -> int:
    return int(db.scalar(select(func.count(User.id)).where(User.role == role, User.active.is_(True))) or 0)


def all_groups(db: Session) -> Sequence[Group]:
    """Every group with its organisation, by organisation name then group name."""
    return db.scalars(
        select(Group)
        .join(Group.organisation)
        .options(selectinload(Group.organisation))
        .order_by(Organisation.name, Group.name)
    ).all()


def groups_by_id(db: Session, ids: Sequence[int]) -> list[Group]:
    if not ids:
        return []
    return list(db.scalars(select(Group).where(Group.id.in_(list(ids)))))


def group(db: Session, group_id: int) -> Group | None:
    """The group with its organisation and members."""
    return db.scalar(
        select(Group)
        .where(Group.id == group_id)
        .options(selectinload(Group.organisation), selectinload(Group.members))
        .execution_options(populate_existing=True)
    )


def group_slug_taken(db: Session, slug: str, *, other_than: int | None = None) -> bool:
    query = select(Group.id).where(Group.slug == slug)
    if other_than is not None:
        query = query.where(Group.id != other_than)
    return db.scalar(query) is not None


def organisation(db: Session, organisation_id: int) -> Organisation | None:
    return db.get(Organisation, organisation_id)


def organisation_with_edrpou(db: Session, edrpou: str) -> Organisation | None:
    return db.scalar(select(Organisation).where(Organisation.edrpou == edrpou))


def organisations(db: Session) -> Sequence[Organisation]:
    return db.scalars(select(Organisation).order_by(Organisation.name)).all()


def users_by_username(db: Session, usernames: Sequence[str]) -> list[User]:
    if not usernames:
        return []
    return list(db.scalars(select(User).where(User.username.in_(list(usernames))).order_by(User.username)))


def second_factor_confirmed(db: Session, user_id: int) -> bool | None:
    """True: a confirmed second factor; False: enrolment begun, not confirmed; None: none."""
    confirmed_at = db.execute(select(SecondFactor.confirmed_at).where(SecondFactor.user_id == user_id)).first()
    return None if confirmed_at is None else confirmed_at[0] is not None
