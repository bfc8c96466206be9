"""The fake clock and the retry schedule are exact, so background tests never sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.clock import FakeClock, SystemClock
from engine.services.background.jobs import backoff


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock(datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 1, 1, 12, tzinfo=UTC)
    clock.advance(timedelta(hours=1))
    assert clock.now() == datetime(2026, 1, 1, 13, tzinfo=UTC)
    clock.set(datetime(2026, 2, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 2, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 2, 1))


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().utcoffset() == timedelta(0)


def test_back_off_doubles_from_thirty_seconds() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
