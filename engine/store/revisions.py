"""Revision counters of cached data: read once per unit of work, bumped by any flush that changes that data.

The bump happens in a `before_flush` hook, so every change made through the ORM counts — a repository function,
a relationship append, a test's own insert — and commits or rolls back with the change itself.
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Final

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from engine.models import ApiToken, CacheRevision, CalendarDay, Group, Organisation, PlatformSetting, User

DIRECTORY: Final = "directory"
CALENDAR: Final = "calendar"
PEOPLE: Final = "people"
"""Accounts as signed-in people are cached (role, groups, stamp, active): any change to an account or a group."""
_SEEN_KEY: Final = "posluhy_revisions"
_WATCHED: Final[dict[type, tuple[str, ...]]] = {
    Organisation: (DIRECTORY, PEOPLE),  # a new parent changes what overseeing groups' members see
    Group: (DIRECTORY, PEOPLE),
    User: (PEOPLE,),
    ApiToken: (PEOPLE,),
    CalendarDay: (CALENDAR,),
    PlatformSetting: (CALENDAR,),
}


_ALL = select(CacheRevision.name, CacheRevision.revision)


def current(db: Session) -> dict[str, int]:
    """The counters as this unit of work sees them (one query, then remembered until the transaction ends)."""
    seen: dict[str, int] | None = db.info.get(_SEEN_KEY)
    if seen is None:
        seen = {name: revision for name, revision in db.execute(_ALL)}
        db.info[_SEEN_KEY] = seen
    return seen


def _changes_cached_data(db: Session, instance: Any) -> bool:
    if isinstance(instance, ApiToken):  # a new token changes nothing cached; a revoked one must stop everywhere
        return instance in db.deleted
    return instance in db.new or instance in db.deleted or db.is_modified(instance)


def _bump(db: Session, _context: Any, _instances: Any) -> None:
    touched = {
        name
        for instance in chain(db.new, db.dirty, db.deleted)
        if type(instance) in _WATCHED and _changes_cached_data(db, instance)
        for name in _WATCHED[type(instance)]
    }
    for name in sorted(touched):
        db.execute(update(CacheRevision).where(CacheRevision.name == name).values(revision=CacheRevision.revision + 1))
    if touched:
        db.info.pop(_SEEN_KEY, None)  # read again: this transaction now sees its own bump


def _forget(db: Session, transaction: Any) -> None:
    if transaction.parent is None:
        db.info.pop(_SEEN_KEY, None)


def install_revision_counters() -> None:
    """Count changes to cached data on every session (idempotent; called when a platform is built)."""
    if not event.contains(Session, "before_flush", _bump):
        event.listen(Session, "before_flush", _bump)
        event.listen(Session, "after_transaction_end", _forget)


def bump(db: Session, name: str) -> None:
    """Count a change the ORM does not see (a bulk statement that deletes tokens or changes accounts)."""
    db.execute(update(CacheRevision).where(CacheRevision.name == name).values(revision=CacheRevision.revision + 1))
    db.info.pop(_SEEN_KEY, None)
