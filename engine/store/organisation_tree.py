"""The organisation tree (oblast → district → hromada council → ЦНАП office) walked in the database.

Each walk is one recursive query, however deep the tree; a cycle cannot loop forever because the services refuse to
make one (engine.services.admin.organisations) and the walk stops at a depth no real administration reaches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session, selectinload

from engine.models import Organisation

MAX_DEPTH = 32


def descendant_ids(db: Session, organisation_ids: Iterable[int]) -> set[int]:
    """The ids of every organisation below the given ones (the given ones not included)."""
    roots = sorted(set(organisation_ids))
    if not roots:
        return set()
    below = (
        select(Organisation.id, literal(1).label("depth"))
        .where(Organisation.parent_id.in_(roots))
        .cte("below", recursive=True)
    )
    below = below.union_all(
        select(Organisation.id, below.c.depth + 1)
        .join(below, Organisation.parent_id == below.c.id)
        .where(below.c.depth < MAX_DEPTH)
    )
    return set(db.scalars(select(below.c.id)))


def every_organisation(db: Session) -> list[Organisation]:
    """Every organisation by name, with its groups (loaded in one more query, not one per organisation)."""
    query = select(Organisation).options(selectinload(Organisation.groups))
    return list(db.scalars(query.order_by(Organisation.name, Organisation.slug)))


def slugs_at_or_below_query(slug: str) -> Select[tuple[str]]:
    """A subquery of the slug with the slugs of every organisation below it (for filters inside one statement)."""
    tree = (
        select(Organisation.id, Organisation.slug, literal(0).label("depth"))
        .where(Organisation.slug == slug)
        .cte("at_or_below", recursive=True)
    )
    tree = tree.union_all(
        select(Organisation.id, Organisation.slug, tree.c.depth + 1)
        .join(tree, Organisation.parent_id == tree.c.id)
        .where(tree.c.depth < MAX_DEPTH)
    )
    return select(tree.c.slug)


class _Node(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def parent_id(self) -> int | None: ...


NodeT = TypeVar("NodeT", bound=_Node)


def tree_order(organisations: Sequence[NodeT]) -> list[tuple[NodeT, int]]:
    """Organisations depth first from the roots, siblings in the given order; each with its depth (one whose parent
    is not among them counts as a root)."""
    known = {o.id for o in organisations}
    children: dict[int | None, list[NodeT]] = {}
    for organisation in organisations:
        parent = organisation.parent_id if organisation.parent_id in known else None
        children.setdefault(parent, []).append(organisation)
    ordered: list[tuple[NodeT, int]] = []
    stack = [(o, 0) for o in reversed(children.get(None, []))]
    while stack:
        organisation, depth = stack.pop()
        ordered.append((organisation, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(organisation.id, [])))
    return ordered
