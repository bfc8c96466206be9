"""Organisations along the tree (oblast → district → hromada council → ЦНАП office): list, create, edit.

Edits carry the version the administrator saw (a stale one is refused, nothing overwritten). The tree stays a tree:
no organisation under itself or under one of its own descendants, and each kind under the kinds it belongs to.
Every change bumps the directory and people revisions (engine.store.revisions): cached directories and what
overseeing groups' members see follow at every host's next request. The directory import applies the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Final

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.models import Organisation, OrganisationKind
from engine.services.admin.groups import SLUG_RE
from engine.services.context import Actor
from engine.services.errors import ConflictError, ForbiddenError, NotFoundError, RefusedError
from engine.store import audit, directory, organisation_tree, people
from engine.store.organisation_tree import tree_order

KINDS: Final = tuple(kind.value for kind in OrganisationKind)
PARENT_KINDS: Final[dict[str, tuple[str, ...] | None]] = {
    OrganisationKind.OBLAST.value: (),
    OrganisationKind.DISTRICT.value: (OrganisationKind.OBLAST.value,),
    OrganisationKind.HROMADA.value: (OrganisationKind.DISTRICT.value, OrganisationKind.OBLAST.value),
    OrganisationKind.CNAP.value: (OrganisationKind.HROMADA.value, OrganisationKind.DISTRICT.value),
    OrganisationKind.OTHER.value: None,
}
"""The kinds each kind may stand under (() a root only, None anywhere, a root too)."""
EDRPOU_RE: Final = re.compile(r"^[0-9]{8}$")
LIMITS: Final = {"name": 300, "name_en": 300, "region": 120, "address": 500, "address_en": 500, "phone": 60,
                 "email": 300, "working_hours": 500, "working_hours_en": 500}  # fmt: skip


class OrganisationChangedError(ConflictError):
    """Someone else saved this organisation after the form was opened; nothing was changed."""


class OrganisationRefusedError(RefusedError):
    """`reason`: "bad_slug", "slug_taken", "no_name", "too_long", "bad_kind", "bad_edrpou", "edrpou_taken",
    "unknown_parent", "own_descendant", "parent_kind". `field` names the field at fault."""

    def __init__(self, reason: str, field: str) -> None:
        super().__init__(reason)
        self.field = field


@dataclass(frozen=True)
class OrganisationInput:
    slug: str
    name: str
    kind: str = OrganisationKind.OTHER.value
    parent_id: int | None = None
    name_en: str = ""
    region: str = ""
    edrpou: str = ""
    address: str = ""
    address_en: str = ""
    phone: str = ""
    email: str = ""
    working_hours: str = ""
    working_hours_en: str = ""
    active: bool = True


FIELDS: Final = tuple(f.name for f in fields(OrganisationInput))


@dataclass(frozen=True)
class OrganisationNode:
    """One organisation in tree order: `depth` 0 for a root."""

    id: int
    slug: str
    name: str
    name_en: str
    kind: str
    edrpou: str
    active: bool
    depth: int
    groups: int


@dataclass(frozen=True)
class OrganisationView:
    id: int
    version: int
    values: OrganisationInput
    parent_name: str
    children: list[OrganisationNode]
    groups: list[tuple[int, str]]


def edrpou_is_valid(code: str) -> bool:
    """Eight digits whose last is the control digit of the ЄДРПОУ register (weights 1–7, or 7,1–6 for codes
    between 30,000,000 and 60,000,000; a remainder of 10 is retried with every weight plus 2, then counts as 0)."""
    if not EDRPOU_RE.match(code):
        return False
    digits = [int(c) for c in code]
    weights = [7, 1, 2, 3, 4, 5, 6] if 30_000_000 < int(code) < 60_000_000 else [1, 2, 3, 4, 5, 6, 7]
    remainder = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    if remainder == 10:
        remainder = sum(d * (w + 2) for d, w in zip(digits, weights, strict=False)) % 11
    return remainder % 10 == digits[7]


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("organisations")


def _load(db: Session, organisation_id: int) -> Organisation:
    found = people.organisation(db, organisation_id)
    if found is None:
        raise NotFoundError(str(organisation_id))
    return found


def _node(organisation: Organisation, depth: int) -> OrganisationNode:
    return OrganisationNode(
        id=organisation.id,
        slug=organisation.slug,
        name=organisation.name,
        name_en=organisation.name_en,
        kind=organisation.kind,
        edrpou=organisation.edrpou,
        active=organisation.active,
        depth=depth,
        groups=len(organisation.groups),
    )


def tree(db: Session, actor: Actor) -> list[OrganisationNode]:
    _require_admin(actor)
    return [_node(o, depth) for o, depth in tree_order(organisation_tree.every_organisation(db))]


def parent_choices(db: Session, actor: Actor, *, for_id: int | None = None) -> list[tuple[int, str]]:
    """Possible parents in tree order (indented by depth), without the organisation itself and those below it."""
    _require_admin(actor)
    excluded = set() if for_id is None else organisation_tree.descendant_ids(db, [for_id]) | {for_id}
    return [
        (o.id, "\u2014 " * depth + o.name)
        for o, depth in tree_order(organisation_tree.every_organisation(db))
        if o.id not in excluded
    ]


def _values(organisation: Organisation) -> OrganisationInput:
    return OrganisationInput(**{name: getattr(organisation, name) for name in FIELDS})


def get_organisation(db: Session, actor: Actor, organisation_id: int) -> OrganisationView:
    _require_admin(actor)
    organisation = _load(db, organisation_id)
    children = sorted((o for o in organisation_tree.every_organisation(db) if o.parent_id == organisation.id),
                      key=lambda o: o.name)  # fmt: skip
    return OrganisationView(
        id=organisation.id,
        version=organisation.version,
        values=_values(organisation),
        parent_name=organisation.parent.name if organisation.parent else "",
        children=[_node(o, 1) for o in children],
        groups=[(g.id, g.name) for g in organisation.groups],
    )


def check_organisation(db: Session, data: OrganisationInput, *, organisation_id: int | None) -> None:
    """Refuse what would break a rule (the field at fault named); the directory import calls this too."""
    if not SLUG_RE.match(data.slug):
        raise OrganisationRefusedError("bad_slug", "slug")
    found = directory.find_organisation(db, data.slug)
    if found is not None and found.id != organisation_id:
        raise OrganisationRefusedError("slug_taken", "slug")
    if not data.name.strip():
        raise OrganisationRefusedError("no_name", "name")
    for name, limit in LIMITS.items():
        if len(getattr(data, name)) > limit:
            raise OrganisationRefusedError("too_long", name)
    if data.kind not in PARENT_KINDS:
        raise OrganisationRefusedError("bad_kind", "kind")
    if data.edrpou:
        if not edrpou_is_valid(data.edrpou):
            raise OrganisationRefusedError("bad_edrpou", "edrpou")
        holder = people.organisation_with_edrpou(db, data.edrpou)
        if holder is not None and holder.id != organisation_id:
            raise OrganisationRefusedError("edrpou_taken", "edrpou")
    _check_parent(db, data, organisation_id)


def _check_parent(db: Session, data: OrganisationInput, organisation_id: int | None) -> None:
    allowed = PARENT_KINDS[data.kind]
    if data.parent_id is None:
        if allowed:
            raise OrganisationRefusedError("parent_kind", "parent_id")
        return
    parent = people.organisation(db, data.parent_id)
    if parent is None:
        raise OrganisationRefusedError("unknown_parent", "parent_id")
    if organisation_id is not None and (
        parent.id == organisation_id or parent.id in organisation_tree.descendant_ids(db, [organisation_id])
    ):
        raise OrganisationRefusedError("own_descendant", "parent_id")
    if allowed is not None and parent.kind not in allowed:
        raise OrganisationRefusedError("parent_kind", "parent_id")


def add_organisation(db: Session, data: OrganisationInput) -> Organisation:
    """Create after `check_organisation` (no audit: the caller records what it did)."""
    check_organisation(db, data, organisation_id=None)
    organisation = Organisation(**{name: getattr(data, name) for name in FIELDS})
    directory.add(db, organisation)
    return organisation


def change_organisation(db: Session, organisation: Organisation, data: OrganisationInput) -> list[str]:
    """Apply after `check_organisation`; returns the changed field names (no audit, as above)."""
    check_organisation(db, data, organisation_id=organisation.id)
    changed = [name for name in FIELDS if getattr(organisation, name) != getattr(data, name)]
    for name in changed:
        setattr(organisation, name, getattr(data, name))
    if changed:
        try:
            db.flush()
        except StaleDataError as exc:
            raise OrganisationChangedError(str(organisation.id)) from exc
    return changed


def create_organisation(db: Session, actor: Actor, data: OrganisationInput) -> int:
    _require_admin(actor)
    organisation = add_organisation(db, data)
    audit.record(
        db,
        action="organisation.created",
        actor_id=actor.user_id,
        actor=actor.username,
        details={"organisation_id": organisation.id, "slug": organisation.slug, "parent_id": organisation.parent_id},
    )
    return organisation.id


def update_organisation(
    db: Session, actor: Actor, organisation_id: int, *, version: int, data: OrganisationInput
) -> list[str]:
    """Save if nobody saved the organisation since `version`; returns the changed field names."""
    _require_admin(actor)
    organisation = _load(db, organisation_id)
    if organisation.version != version:
        raise OrganisationChangedError(str(organisation_id))
    changed = change_organisation(db, organisation, data)
    if changed:
        audit.record(
            db,
            action="organisation.updated",
            actor_id=actor.user_id,
            actor=actor.username,
            details={"organisation_id": organisation.id, "changed": changed},
        )
    return changed
