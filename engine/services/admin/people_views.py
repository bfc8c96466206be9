"""What the people pages show, as plain values (the web layer never touches the models)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import AuditEvent, User
from engine.services.admin.identities import IdentityView, has_password, identities_of


@dataclass(frozen=True)
class PersonRow:
    id: int
    username: str
    full_name: str
    email: str
    role: str
    active: bool
    groups: tuple[str, ...]


@dataclass(frozen=True)
class PeoplePage:
    rows: list[PersonRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class GroupRef:
    id: int
    slug: str
    name: str
    organisation_name: str


@dataclass(frozen=True)
class PersonView:
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    role: str
    locale: str
    active: bool
    created_at: datetime
    deactivated_at: datetime | None
    email_verified: bool
    has_password: bool
    version: int
    groups: tuple[GroupRef, ...]
    identities: tuple[IdentityView, ...]
    second_factor: bool | None
    """True: confirmed; False: enrolment begun but not confirmed; None: none."""

    @property
    def group_ids(self) -> list[int]:
        return [g.id for g in self.groups]


@dataclass(frozen=True)
class SignInRow:
    at: datetime
    action: str
    method: str
    reason: str


@dataclass(frozen=True)
class SignInsPage:
    rows: list[SignInRow]
    page: int
    pages: int
    total: int


def pages_of(total: int, page: int, size: int) -> tuple[int, int]:
    """The page asked for, kept within the pages there are, and how many there are (at least one)."""
    pages = max(1, -(-total // size))
    return min(max(1, page), pages), pages


def person_row(user: User) -> PersonRow:
    return PersonRow(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        role=user.role,
        active=user.active,
        groups=tuple(sorted(g.name for g in user.groups)),
    )


def person_view(db: Session, user: User, *, second_factor: bool | None) -> PersonView:
    return PersonView(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        phone=user.phone,
        role=user.role,
        locale=user.locale,
        active=user.active,
        created_at=user.created_at,
        deactivated_at=user.deactivated_at,
        email_verified=user.email_verified_at is not None,
        has_password=has_password(user),
        version=user.version,
        groups=tuple(
            GroupRef(g.id, g.slug, g.name, g.organisation.name) for g in sorted(user.groups, key=lambda g: g.name)
        ),
        identities=tuple(identities_of(db, user.id)),
        second_factor=second_factor,
    )


def sign_in_row(event: AuditEvent) -> SignInRow:
    details = json.loads(event.details_json or "{}")
    return SignInRow(
        at=event.at,
        action=event.action,
        method=str(details.get("method", "")),
        reason=str(details.get("reason", "")),
    )
