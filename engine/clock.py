"""An injectable clock: deadlines, timers and jobs ask the platform for "now", so tests move time, never sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

CLOCK_KEY: Final = "posluhy_clock"
"""Where sessions (Session.info) and their connections (Connection.info) carry the platform's clock."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _aware(start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = _aware(moment)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware datetime")
    return moment.astimezone(UTC)


class ClockSlot:
    """The platform's current clock, shared with its database sessions (`session_now`), replaceable in tests."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()
