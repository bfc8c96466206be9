"""Deadlines in working days, in Kyiv time (public holidays arrive with the background-work issue)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")
END_OF_DAY = time(18, 0)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end (18:00 Kyiv) of the `days`-th working day after `start`; weekends do not count."""
    local = start.astimezone(KYIV).date()
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return datetime.combine(local, END_OF_DAY, tzinfo=KYIV).astimezone(UTC)
