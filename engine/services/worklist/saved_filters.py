"""Officials' saved queue filters: save the current filters under a name, list them, delete one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.orm import Session

from engine.models import SavedQueueFilter
from engine.services.context import Actor
from engine.services.errors import ForbiddenError, NotFoundError, RefusedError
from engine.services.worklist.queue_filters import QueueQuery
from engine.store import saved_filters

NAME_LIMIT: Final = 100
MOST: Final = 30


class SavedFilterRefusedError(RefusedError):
    """`reason`: "no_name", "too_long", "nothing_to_save", "too_many"."""


@dataclass(frozen=True)
class SavedFilter:
    id: int
    name: str
    query: QueueQuery


def _person(actor: Actor) -> int:
    if not actor.is_staff or actor.user_id is None:
        raise ForbiddenError("saved filters")
    return actor.user_id


def list_filters(db: Session, actor: Actor) -> list[SavedFilter]:
    return [
        SavedFilter(row.id, row.name, QueueQuery.of(dict(parse_qsl(row.query))))
        for row in saved_filters.of_user(db, _person(actor))
    ]


def save_filter(db: Session, actor: Actor, name: str, query: QueueQuery) -> SavedFilter:
    """Save (or replace, by name) the filters; an empty filter is refused."""
    user_id = _person(actor)
    name = " ".join(name.split())
    if not name:
        raise SavedFilterRefusedError("no_name")
    if len(name) > NAME_LIMIT:
        raise SavedFilterRefusedError("too_long")
    if not query.active:
        raise SavedFilterRefusedError("nothing_to_save")
    encoded = urlencode(sorted(query.as_args().items()))
    existing = saved_filters.by_name(db, user_id, name)
    if existing is not None:
        existing.query = encoded
        db.flush()
        return SavedFilter(existing.id, existing.name, query)
    if saved_filters.count_of_user(db, user_id) >= MOST:
        raise SavedFilterRefusedError("too_many")
    row = SavedQueueFilter(user_id=user_id, name=name, query=encoded)
    saved_filters.add(db, row)
    return SavedFilter(row.id, row.name, query)


def delete_filter(db: Session, actor: Actor, filter_id: int) -> None:
    row = saved_filters.get(db, filter_id)
    if row is None or row.user_id != _person(actor):
        raise NotFoundError(str(filter_id))
    saved_filters.delete(db, row)
