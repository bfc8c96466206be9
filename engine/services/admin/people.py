"""People in the administrators' pages: find, create (without a password) and invite, edit, deactivate, reactivate.

Edits carry the version the administrator saw: a stale one is refused (`PersonChangedError`), so two administrators
editing one person never overwrite each other silently. Deactivation ends the person's access at once on every host:
a new security stamp ends their sessions, their API tokens are deleted, the people revision is bumped (every host's
cached actors and tokens are dropped), and the tasks they had claimed go back to their groups' queues.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.db import session_now
from engine.models import Role, User
from engine.services.admin import accounts, recovery, registration
from engine.services.admin.links import LinkPurpose
from engine.services.admin.people_views import (
    PeoplePage,
    PersonView,
    SignInsPage,
    pages_of,
    person_row,
    person_view,
    sign_in_row,
)
from engine.services.context import Actor, Platform
from engine.services.errors import ConflictError, ForbiddenError, NotFoundError, RefusedError
from engine.services.mail.outbox import queue_email
from engine.store import audit, people, tasks
from engine.store.people import PeopleFilter

__all__ = ["PeopleFilter", "PeoplePage", "PersonView", "SignInsPage"]

ROLES: Final = tuple(role.value for role in Role)
LOCALES: Final = ("uk", "en")
PAGE_SIZE: Final = 25
SIGN_INS_PAGE_SIZE: Final = 20
EDITABLE: Final = ("full_name", "email", "phone", "role", "locale")


class PersonChangedError(ConflictError):
    """Someone else saved this person after the form was opened; nothing was changed."""


class PersonRefusedError(RefusedError):
    """The change is not allowed; `reason` says which rule: "self", "last_admin", "username_taken", "no_email",
    "has_password", "inactive"."""


@dataclass(frozen=True)
class PersonInput:
    full_name: str
    email: str
    phone: str
    role: str
    locale: str
    group_ids: tuple[int, ...] = ()


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("people")


def _load(db: Session, user_id: int) -> User:
    user = people.person(db, user_id)
    if user is None:
        raise NotFoundError(str(user_id))
    return user


def search(db: Session, actor: Actor, found: PeopleFilter, *, page: int = 1) -> PeoplePage:
    """One page of the people that match, by username."""
    _require_admin(actor)
    total = people.count_people(db, found)
    page, pages = pages_of(total, page, PAGE_SIZE)
    rows = people.page_of_people(db, found, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return PeoplePage(rows=[person_row(u) for u in rows], page=page, pages=pages, total=total)


def get_person(db: Session, actor: Actor, user_id: int) -> PersonView:
    _require_admin(actor)
    user = _load(db, user_id)
    return person_view(db, user, second_factor=people.second_factor_confirmed(db, user.id))


def sign_ins(db: Session, actor: Actor, user_id: int, *, page: int = 1) -> SignInsPage:
    """The person's sign-ins, failed sign-ins and locks (newest first): by their id or under their username."""
    _require_admin(actor)
    user = _load(db, user_id)
    total = audit.count_sign_ins(db, user_id=user.id, username=user.username)
    page, pages = pages_of(total, page, SIGN_INS_PAGE_SIZE)
    events = audit.page_of_sign_ins(
        db, user_id=user.id, username=user.username, offset=(page - 1) * SIGN_INS_PAGE_SIZE, limit=SIGN_INS_PAGE_SIZE
    )
    return SignInsPage(rows=[sign_in_row(e) for e in events], page=page, pages=pages, total=total)


def _check_input(data: PersonInput) -> None:
    if data.role not in ROLES or data.locale not in LOCALES:
        raise ValueError(f"role {data.role!r} or locale {data.locale!r} is not one of the choices")


def _set_groups(db: Session, user: User, group_ids: tuple[int, ...]) -> bool:
    """Make the person's groups exactly these; True when they changed."""
    wanted = people.groups_by_id(db, sorted(set(group_ids)))
    if len(wanted) != len(set(group_ids)):
        raise ValueError("unknown group")
    if {g.id for g in wanted} == {g.id for g in user.groups}:
        return False
    user.groups[:] = sorted(wanted, key=lambda g: g.id)
    return True


def create_person(db: Session, platform: Platform, actor: Actor, username: str, data: PersonInput) -> int:
    """A new account without a password (it is set through the invitation); returns its id. Invite it next."""
    _require_admin(actor)
    _check_input(data)
    if people.username_taken(db, username):
        raise PersonRefusedError("username_taken")
    user = User(
        username=username,
        password_hash="!" + secrets.token_hex(16),  # no password opens it (identities.has_password: no "$")
        full_name=data.full_name,
        email=data.email,
        phone=data.phone,
        role=data.role,
        locale=data.locale,
        security_stamp=accounts.new_security_stamp(),
        created_at=platform.clock.now(),
    )
    db.add(user)
    db.flush()
    _set_groups(db, user, data.group_ids)
    db.flush()
    audit.record(
        db,
        action="person.created",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"user_id": user.id, "username": user.username, "role": user.role},
    )
    return user.id


def invitation_url(platform: Platform, user: User) -> str:
    """The set-password link of `account.accept_invitation` (the engine has no Flask: built from base_url)."""
    return registration.link_url(platform, registration.INVITATION_PATH, LinkPurpose.INVITATION, user)


def invite(db: Session, platform: Platform, actor: Actor, user_id: int) -> None:
    """Mail the person a link to choose their password (valid 7 days, once), in their language."""
    _require_admin(actor)
    user = _load(db, user_id)
    if not user.active:
        raise PersonRefusedError("inactive")
    if not user.email:
        raise PersonRefusedError("no_email")
    if user.password_hash.startswith("$"):
        raise PersonRefusedError("has_password")
    queue_email(
        db,
        platform,
        to=user.email,
        template="invitation",
        context={
            "name": user.full_name or user.username,
            "username": user.username,
            "invitation_url": invitation_url(platform, user),
            "days": 7,
        },
        locale=user.locale,
    )
    audit.record(
        db, action="person.invited", actor_id=actor.user_id, actor=actor.username, details={"user_id": user.id}
    )


def _refuse_losing_the_last_admin(db: Session, user: User, *, leaving: bool) -> None:
    admin = user.role == Role.ADMIN.value and user.active
    if leaving and admin and people.count_active_admins(db, role=Role.ADMIN.value) <= 1:
        raise PersonRefusedError("last_admin")


def update_person(db: Session, actor: Actor, user_id: int, *, version: int, data: PersonInput) -> list[str]:
    """Save the particulars if nobody saved the person since `version`; returns the names of the changed fields."""
    _require_admin(actor)
    _check_input(data)
    user = _load(db, user_id)
    if user.version != version:
        raise PersonChangedError(str(user_id))
    if user.id == actor.user_id and data.role != user.role:
        raise PersonRefusedError("self")
    _refuse_losing_the_last_admin(db, user, leaving=data.role != Role.ADMIN.value)
    changed = [name for name in EDITABLE if getattr(user, name) != getattr(data, name)]
    for name in changed:
        setattr(user, name, getattr(data, name))
    if "email" in changed:
        user.email_verified_at = None
    if _set_groups(db, user, data.group_ids):
        changed.append("groups")
    if not changed:
        return []
    user.version = version + 1  # even when only the groups changed: the next form of the old version is stale
    try:
        db.flush()  # the version column makes this UPDATE ... WHERE version = the one read: a race loses here
    except StaleDataError as exc:
        raise PersonChangedError(str(user_id)) from exc
    audit.record(
        db,
        action="person.updated",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"user_id": user.id, "changed": changed},
    )
    return changed


def deactivate(db: Session, actor: Actor, user_id: int, *, reason: str) -> int:
    """End the person's access at once; their claimed tasks go back to the queue. Returns how many were released."""
    _require_admin(actor)
    user = _load(db, user_id)
    if user.id == actor.user_id:
        raise PersonRefusedError("self")
    if not user.active:
        return 0
    _refuse_losing_the_last_admin(db, user, leaving=True)
    user.active = False
    user.deactivated_at = session_now(db)
    recovery.end_sessions(db, user)  # every session of theirs ends at its next request, every token at once
    released = 0
    for task in tasks.open_held_by(db, user.id):
        if tasks.release(db, task.id, None):
            released += 1
            audit.record(
                db,
                action="task.released",
                actor_id=actor.user_id,
                actor=actor.username,
                application_id=task.application_id,
                task_id=task.id,
                element_id=task.element_id,
                details={"reason": "deactivated", "held_by": user.username},
            )
    db.flush()
    audit.record(
        db,
        action="person.deactivated",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"user_id": user.id, "reason": reason, "tasks_released": released},
    )
    return released


def reactivate(db: Session, actor: Actor, user_id: int, *, reason: str) -> None:
    _require_admin(actor)
    user = _load(db, user_id)
    if user.active:
        return
    user.active = True
    user.deactivated_at = None
    user.security_stamp = accounts.new_security_stamp()  # links sent before the deactivation stay dead
    db.flush()
    audit.record(
        db,
        action="person.reactivated",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"user_id": user.id, "reason": reason},
    )
