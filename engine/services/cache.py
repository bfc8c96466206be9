"""What every request would otherwise read again, kept per process — and how each cache stays true across hosts.

- Engine specs by digest and service versions by id: immutable content, so a cached copy is never stale.
- The directory (organisations, groups) and the working calendar: rebuilt when their revision counter
  (`engine.store.revisions`, bumped in the transaction that changes them) differs from the one they were built at.
- A person (role, groups) by id, and bearer tokens → their person: kept for `TOKEN_LIFETIME_S` seconds at most
  (a token never past its expiry); a sign-out, deactivation or change of groups made on another host takes effect
  within that time, on this host at once.

Freshness is measured on the monotonic clock: it is about this process's memory, not the platform's business time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, TypeVar

from cachetools import LRUCache, TTLCache
from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest
from engine.calendar import WorkCalendar
from engine.services.summaries import ServiceSummary
from engine.store import calendar as calendar_store
from engine.store import catalog, directory, revisions
from engine.store.catalog import VersionRow
from engine.store.directory import DirectorySnapshot

if TYPE_CHECKING:
    from engine.services.context import Actor

TOKEN_LIFETIME_S: Final = 30.0
T = TypeVar("T")


@dataclass(frozen=True)
class VersionFacts:
    """A service version as the step path needs it, with its manifest parsed once."""

    row: VersionRow

    @cached_property
    def manifest(self) -> ServiceManifest:
        return ServiceManifest.from_dict(json.loads(self.row.manifest_json))

    def title_in(self, locale: str) -> str:
        return self.row.title_en if locale == "en" and self.row.title_en else self.row.title

    def summary(self, organisation_name: str) -> ServiceSummary:
        row = self.row
        return ServiceSummary(
            id=row.process_id,
            title=row.title,
            title_en=row.title_en,
            version=row.number,
            organisation=row.organisation_slug,
            organisation_name=organisation_name or row.organisation_slug,
            category=row.category,
            availability=row.availability,
            sla_days=row.sla_days,
            description_html=row.description_html,
            description_en_html=row.description_en_html,
        )


class PlatformCaches:
    """One per platform (per process): thread-safe, bounded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._specs: LRUCache[str, str] = LRUCache(maxsize=128)
        self._versions: LRUCache[int, VersionFacts] = LRUCache(maxsize=4096)
        self._tokens: TTLCache[str, tuple[int, datetime]] = TTLCache(
            maxsize=10_000, ttl=TOKEN_LIFETIME_S, timer=time.monotonic
        )
        self._actors: TTLCache[int, Actor] = TTLCache(maxsize=10_000, ttl=TOKEN_LIFETIME_S, timer=time.monotonic)
        self._revisioned: dict[str, tuple[int, Any]] = {}

    # -- immutable content ------------------------------------------------------------------------

    def spec_json(self, db: Session, digest: str | None) -> str:
        """The engine spec stored under `digest` (LookupError when there is none)."""
        if digest is None:
            raise LookupError("the version has no engine spec")
        with self._lock:
            found = self._specs.get(digest)
        if found is None:
            found = catalog.get_spec_json(db, digest)
            with self._lock:
                self._specs[digest] = found
        return found

    def version(self, db: Session, version_id: int) -> VersionFacts:
        with self._lock:
            found = self._versions.get(version_id)
        if found is None:
            row = catalog.version_row(db, version_id)
            if row is None:
                raise LookupError(f"service version {version_id} does not exist")
            found = VersionFacts(row)
            with self._lock:
                self._versions[version_id] = found
        return found

    # -- data with a revision counter --------------------------------------------------------------

    def _revisioned_value(self, db: Session, name: str, build: Callable[[Session], T]) -> T:
        revision = revisions.current(db).get(name, 0)
        with self._lock:
            held = self._revisioned.get(name)
        if held is not None and held[0] == revision:
            value: T = held[1]
            return value
        value = build(db)
        with self._lock:
            self._revisioned[name] = (revision, value)
        return value

    def directory(self, db: Session) -> DirectorySnapshot:
        return self._revisioned_value(db, revisions.DIRECTORY, directory.snapshot)

    def calendar(self, db: Session) -> WorkCalendar:
        return self._revisioned_value(db, revisions.CALENDAR, calendar_store.load_calendar)

    # -- people -----------------------------------------------------------------------------------

    def actor(self, user_id: int) -> Actor | None:
        with self._lock:
            return self._actors.get(user_id)

    def remember_actor(self, actor: Actor) -> None:
        if actor.user_id is not None:
            with self._lock:
                self._actors[actor.user_id] = actor

    def token_user(self, digest: str, now: datetime) -> int | None:
        """The user id a bearer token (by digest) opens, if known here and not expired."""
        with self._lock:
            found = self._tokens.get(digest)
        if found is None or found[1] <= now:
            return None
        return found[0]

    def remember_token(self, digest: str, user_id: int, expires_at: datetime) -> None:
        with self._lock:
            self._tokens[digest] = (user_id, expires_at)

    def forget_user(self, user_id: int) -> None:
        """Sign-out, deactivation or new groups: this host stops using what it remembered about them at once."""
        with self._lock:
            self._actors.pop(user_id, None)
            for digest in [d for d, (owner, _) in self._tokens.items() if owner == user_id]:
                self._tokens.pop(digest, None)


CACHES_KEY: Final = "posluhy_caches"
_UNBOUND: Final = PlatformCaches()


def caches_of(db: Session) -> PlatformCaches:
    """The caches of the platform that opened this session (a session made elsewhere shares a fallback set,
    which is as correct: every cache checks what it holds as described above)."""
    found: PlatformCaches = db.info.get(CACHES_KEY) or _UNBOUND
    return found
