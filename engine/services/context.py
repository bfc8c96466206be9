"""The platform's wiring: settings, database sessions and the script engine, built once per process."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock, ClockSlot, SystemClock
from engine.config import Settings
from engine.db import make_engine, make_session_factory
from engine.models import Role, User
from engine.runtime.sandbox import create_script_engine
from engine.services.cache import CACHES_KEY, PlatformCaches
from engine.store.revisions import install_revision_counters


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    clock_slot: ClockSlot = field(default_factory=lambda: ClockSlot(SystemClock()))
    caches: PlatformCaches = field(default_factory=PlatformCaches, repr=False)
    _script_engine: Any = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Platform:
        install_revision_counters()
        engine = make_engine(settings.database_url)
        slot = ClockSlot(SystemClock())
        caches = PlatformCaches()
        info = {CACHES_KEY: caches}
        return cls(
            settings=settings,
            engine=engine,
            read_sessions=make_session_factory(engine, clock=slot, info=info),
            write_sessions=make_session_factory(engine, write=True, clock=slot, info=info),
            clock_slot=slot,
            caches=caches,
        )

    @property
    def clock(self) -> Clock:
        """The platform's clock: every "now" of the engine, its sessions and its repositories."""
        return self.clock_slot.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.clock_slot.clock = clock

    @property
    def script_engine(self) -> Any:
        """Stateless, so one per process is safe to share between cases."""
        if self._script_engine is None:
            self._script_engine = create_script_engine(time_limit=self.settings.script_time_limit)
        return self._script_engine


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough to decide visibility without another query."""

    user_id: int | None
    username: str
    role: str
    group_slugs: frozenset[str] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    overseen_organisation_ids: frozenset[int] = frozenset()
    """Organisations below those of the person's groups that see child organisations: their cases and tasks too."""
    locale: str = "uk"
    full_name: str = ""
    email: str = ""
    security_stamp: str = ""
    """What a session must still carry to be valid (a new stamp ends every session and token)."""
    verified: tuple[tuple[str, str], ...] = ()
    """What identity providers vouched for, as (field, value), e.g. ("family_name", "Петренко"): shown read-only."""

    @classmethod
    def of(cls, user: User, *, overseen: frozenset[int] = frozenset()) -> Actor:
        """The person as an actor; `overseen` are the organisations their groups oversee (engine.services.admin
        .accounts.actor_of walks the tree for them)."""
        return cls(
            user_id=user.id,
            username=user.username,
            role=user.role,
            group_slugs=frozenset(g.slug for g in user.groups),
            organisation_ids=frozenset(g.organisation_id for g in user.groups),
            overseen_organisation_ids=overseen,
            locale=user.locale,
            full_name=user.full_name,
            email=user.email,
            security_stamp=user.security_stamp,
            verified=tuple(sorted(json.loads(user.verified_json or "{}").items())),
        )

    @property
    def verified_values(self) -> dict[str, str]:
        return dict(self.verified)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def is_official(self) -> bool:
        return self.role == Role.OFFICIAL.value

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.OFFICIAL.value, Role.ADMIN.value)


SYSTEM = Actor(user_id=None, username="system", role="system")
