"""Groups of officials per organisation: create, edit (with the version the administrator saw), members.

A group's supervisors are the members of its organisation's supervisor groups (they hear of escalations). Any
change to a group bumps the directory and people revisions in its own flush (engine.store.revisions), so every
host's cached directory and signed-in people see it at their next request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.models import Group, User
from engine.services.context import Actor
from engine.services.errors import ConflictError, ForbiddenError, NotFoundError, RefusedError
from engine.store import audit, directory, people

SLUG_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class GroupChangedError(ConflictError):
    """Someone else saved this group after the form was opened; nothing was changed."""


class GroupRefusedError(RefusedError):
    """`reason`: "slug_taken", "unknown_organisation", "unknown_person"."""


@dataclass(frozen=True)
class GroupInput:
    slug: str
    name: str
    organisation_id: int
    is_supervisor: bool = False
    sees_child_organisations: bool = False


@dataclass(frozen=True)
class MemberRef:
    id: int
    username: str
    full_name: str
    active: bool


@dataclass(frozen=True)
class GroupRow:
    id: int
    slug: str
    name: str
    is_supervisor: bool
    sees_child_organisations: bool
    members: int


@dataclass(frozen=True)
class OrganisationGroups:
    id: int
    name: str
    groups: list[GroupRow]


@dataclass(frozen=True)
class GroupView:
    id: int
    slug: str
    name: str
    organisation_id: int
    organisation_name: str
    is_supervisor: bool
    sees_child_organisations: bool
    version: int
    members: list[MemberRef]
    supervisors: list[MemberRef]
    """Members of the organisation's supervisor groups."""


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("groups")


def _member(user: User) -> MemberRef:
    return MemberRef(id=user.id, username=user.username, full_name=user.full_name, active=user.active)


def _load(db: Session, group_id: int) -> Group:
    found = people.group(db, group_id)
    if found is None:
        raise NotFoundError(str(group_id))
    return found


def _flush(db: Session, group_id: int) -> None:
    """The version column makes the UPDATE conditional on the version read: a concurrent save loses here."""
    try:
        db.flush()
    except StaleDataError as exc:
        raise GroupChangedError(str(group_id)) from exc


def by_organisation(db: Session, actor: Actor) -> list[OrganisationGroups]:
    """Every organisation with its groups (organisations without groups too), by name."""
    _require_admin(actor)
    grouped: dict[int, list[GroupRow]] = {}
    for group in people.all_groups(db):
        grouped.setdefault(group.organisation_id, []).append(
            GroupRow(
                group.id,
                group.slug,
                group.name,
                group.is_supervisor,
                group.sees_child_organisations,
                len(group.members),
            )
        )
    return [OrganisationGroups(o.id, o.name, grouped.get(o.id, [])) for o in people.organisations(db)]


def organisation_choices(db: Session, actor: Actor) -> list[tuple[int, str]]:
    _require_admin(actor)
    return [(o.id, o.name) for o in people.organisations(db)]


def group_choices(db: Session, actor: Actor) -> list[tuple[str, list[tuple[int, str]]]]:
    """Groups as (organisation name, [(group id, group name)]) for checkboxes grouped by organisation."""
    _require_admin(actor)
    grouped: dict[str, list[tuple[int, str]]] = {}
    for group in people.all_groups(db):
        grouped.setdefault(group.organisation.name, []).append((group.id, group.name))
    return list(grouped.items())


def get_group(db: Session, actor: Actor, group_id: int) -> GroupView:
    _require_admin(actor)
    group = _load(db, group_id)
    supervisors = {
        u.id: u for g in directory.supervisor_groups(db, group.organisation_id) for u in g.members if u.active
    }
    return GroupView(
        id=group.id,
        slug=group.slug,
        name=group.name,
        organisation_id=group.organisation_id,
        organisation_name=group.organisation.name,
        is_supervisor=group.is_supervisor,
        sees_child_organisations=group.sees_child_organisations,
        version=group.version,
        members=[_member(u) for u in sorted(group.members, key=lambda u: u.username)],
        supervisors=[_member(u) for u in sorted(supervisors.values(), key=lambda u: u.username)],
    )


def _check(db: Session, data: GroupInput, *, group_id: int | None) -> None:
    if not SLUG_RE.match(data.slug):
        raise ValueError(f"bad slug {data.slug!r}")
    if people.group_slug_taken(db, data.slug, other_than=group_id):
        raise GroupRefusedError("slug_taken")
    if people.organisation(db, data.organisation_id) is None:
        raise GroupRefusedError("unknown_organisation")


_FIELDS: Final = ("slug", "name", "organisation_id", "is_supervisor", "sees_child_organisations")


def create_group(db: Session, actor: Actor, data: GroupInput) -> int:
    _require_admin(actor)
    _check(db, data, group_id=None)
    group = Group(**{name: getattr(data, name) for name in _FIELDS})
    directory.add(db, group)
    audit.record(
        db,
        action="group.created",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"group_id": group.id, "slug": group.slug, "organisation_id": group.organisation_id},
    )
    return group.id


def update_group(db: Session, actor: Actor, group_id: int, *, version: int, data: GroupInput) -> list[str]:
    """Save if nobody saved the group since `version`; returns the changed field names."""
    _require_admin(actor)
    group = _load(db, group_id)
    if group.version != version:
        raise GroupChangedError(str(group_id))
    _check(db, data, group_id=group.id)
    changed = [name for name in _FIELDS if getattr(group, name) != getattr(data, name)]
    for name in changed:
        setattr(group, name, getattr(data, name))
    if changed:
        _flush(db, group.id)
        audit.record(
            db,
            action="group.updated",
            actor_id=actor.user_id,
            actor=actor.username,
            details={"group_id": group.id, "changed": changed},
        )
    return changed


def change_members(
    db: Session, actor: Actor, group_id: int, *, version: int, add: list[str], remove: list[int]
) -> tuple[list[str], list[str]]:
    """Add people by username and remove them by id; returns the usernames added and removed."""
    _require_admin(actor)
    group = _load(db, group_id)
    if group.version != version:
        raise GroupChangedError(str(group_id))
    newcomers = people.users_by_username(db, sorted(set(add)))
    if len(newcomers) != len(set(add)):
        raise GroupRefusedError("unknown_person")
    held = {u.id for u in group.members}
    added = [u.username for u in newcomers if u.id not in held]
    removed = [u.username for u in group.members if u.id in set(remove)]
    if not added and not removed:
        return [], []
    group.members[:] = [u for u in group.members if u.id not in set(remove)] + [
        u for u in newcomers if u.id not in held
    ]
    group.version = version + 1
    _flush(db, group.id)
    audit.record(
        db,
        action="group.members_changed",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"group_id": group.id, "added": added, "removed": removed},
    )
    return added, removed
