"""What every request would otherwise read again, kept per process — and how each cache stays true across hosts.

- Engine specs by digest and service versions by id: immutable content, so a cached copy is never stale.
- The directory (organisations, groups) and the working calendar: rebuilt when their revision counter
  (`engine.store.revisions`, bumped in the transaction that changes them) differs from the one they were built at.
- A person (role, groups, security stamp) by id, and bearer tokens → their person (never past the token's
  expiry): validated by the `people` revision, bumped by any change to an account, a group or a revoked token, so
  a deactivation or a sign-out everywhere takes effect at once on every host.

The revision counters are read once per unit of work (one small query), whatever is looked up.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, TypeVar

from cachetools import LRUCache
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
        self._tokens: LRUCache[str, tuple[int, int, datetime]] = LRUCache(maxsize=10_000)
        self._actors: LRUCache[int, tuple[int, Actor]] = LRUCache(maxsize=10_000)
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

    def actor(self, db: Session, user_id: int) -> Actor | None:
        """The person as last loaded here, if nothing about any account or group changed since (else None)."""
        revision = revisions.current(db).get(revisions.PEOPLE, 0)
        with self._lock:
            held = self._actors.get(user_id)
        return held[1] if held is not None and held[0] == revision else None

    def remember_actor(self, db: Session, actor: Actor) -> None:
        if actor.user_id is not None:
            revision = revisions.current(db).get(revisions.PEOPLE, 0)
            with self._lock:
                self._actors[actor.user_id] = (revision, actor)

    def token_user(self, db: Session, digest: str, now: datetime) -> int | None:
        """The user id a bearer token (by digest) opens, if known here, not expired, and nothing changed since."""
        revision = revisions.current(db).get(revisions.PEOPLE, 0)
        with self._lock:
            found = self._tokens.get(digest)
        if found is None or found[0] != revision or found[2] <= now:
            return None
        return found[1]

    def remember_token(self, db: Session, digest: str, user_id: int, expires_at: datetime) -> None:
        revision = revisions.current(db).get(revisions.PEOPLE, 0)
        with self._lock:
            self._tokens[digest] = (revision, user_id, expires_at)


CACHES_KEY: Final = "posluhy_caches"
_UNBOUND: Final = PlatformCaches()


def caches_of(db: Session) -> PlatformCaches:
    """The caches of the platform that opened this session (a session made elsewhere shares a fallback set,
    which is as correct: every cache checks what it holds as described above)."""
    found: PlatformCaches = db.info.get(CACHES_KEY) or _UNBOUND
    return found
