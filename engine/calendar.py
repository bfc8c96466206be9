"""Deadlines in working days, in Kyiv time: weekends, Ukraine's public holidays and administrators' adjustments.

Ukraine's statutory public holidays come from the `holidays` package (its "public" and "workday" categories:
under martial law the package moves holidays to "workday", because they are working days; whether they count
as days off here is the administrators' setting `holidays_are_days_off`, on by default). Administrators add
extra days off and transferred working days (`calendar_day` rows); an adjustment wins over both.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

KYIV = ZoneInfo("Europe/Kyiv")
END_OF_DAY = time(18, 0)
MAX_SCAN_DAYS = 3660  # a calendar with (nearly) no working days must not loop forever


@functools.cache
def public_holidays(year: int) -> dict[date, str]:
    """Ukraine's statutory public holidays of a year, with their Ukrainian names."""
    found = holidays.country_holidays("UA", years=year, categories=("public", "workday"), language="uk")
    return {day: str(name) for day, name in sorted(found.items())}


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days; build one per computation from the stored settings (`store.calendar`)."""

    holidays_are_days_off: bool = True
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)

    def holiday_name(self, day: date) -> str | None:
        return public_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        if self.holidays_are_days_off and day in public_holidays(day.year):
            return False
        return day.weekday() < 5

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end (18:00 Kyiv) of the `days`-th working day after `start` (0: the end of today)."""
        local = start.astimezone(KYIV).date()
        remaining = days
        for _ in range(MAX_SCAN_DAYS):
            if remaining <= 0:
                break
            local += timedelta(days=1)
            if self.is_working_day(local):
                remaining -= 1
        return datetime.combine(local, END_OF_DAY, tzinfo=KYIV).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days after `start`'s Kyiv date up to and including `end`'s (0 when end <= start)."""
        first, last = start.astimezone(KYIV).date(), end.astimezone(KYIV).date()
        count, day = 0, first
        while day < last and (day - first).days < MAX_SCAN_DAYS:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


DEFAULT_CALENDAR = WorkCalendar()


def add_working_days(start: datetime, days: int, calendar: WorkCalendar = DEFAULT_CALENDAR) -> datetime:
    """The end (18:00 Kyiv) of the `days`-th working day after `start`."""
    return calendar.add_working_days(start, days)
