"""Working days in Kyiv with Ukraine's public holidays, administrators' adjustments, and due-date expressions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.calendar import KYIV, WorkCalendar, public_holidays
from engine.services.cases.deadlines import DueDateError, due_at


def kyiv(*args: int) -> datetime:
    return datetime(*args, tzinfo=KYIV)  # type: ignore[misc]


def local_day(moment: datetime) -> str:
    return moment.astimezone(KYIV).date().isoformat()


WEDNESDAY_BEFORE_NEW_YEAR = kyiv(2026, 12, 30, 10, 0)


def test_five_working_days_across_the_new_year_holiday() -> None:
    # Thu 31 Dec (1), Fri 1 Jan is New Year's Day, weekend, Mon 4 (2), Tue 5 (3), Wed 6 (4), Thu 7 (5)
    due = WorkCalendar().add_working_days(WEDNESDAY_BEFORE_NEW_YEAR, 5)
    assert due.astimezone(KYIV) == kyiv(2027, 1, 7, 18, 0)
    assert due.tzinfo is not None


def test_when_public_holidays_are_not_days_off_new_year_counts() -> None:
    # Martial law: 1 January is a working day, so the fifth working day is Wednesday 6 January
    due = WorkCalendar(holidays_are_days_off=False).add_working_days(WEDNESDAY_BEFORE_NEW_YEAR, 5)
    assert local_day(due) == "2027-01-06"


def test_administrators_adjustments_win_over_holidays_and_weekends() -> None:
    calendar = WorkCalendar(
        days_off=frozenset({date(2026, 12, 31)}),  # an extra day off
        working_days=frozenset({date(2027, 1, 2)}),  # a Saturday worked instead
    )
    # Sat 2 Jan (1), Mon 4 (2), Tue 5 (3), Wed 6 (4), Thu 7 (5)
    assert local_day(calendar.add_working_days(WEDNESDAY_BEFORE_NEW_YEAR, 5)) == "2027-01-07"
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.is_working_day(date(2027, 1, 2))
    assert local_day(calendar.add_working_days(WEDNESDAY_BEFORE_NEW_YEAR, 1)) == "2027-01-02"


def test_public_holidays_come_with_ukrainian_names() -> None:
    holidays = public_holidays(2027)
    assert holidays[date(2027, 1, 1)] == "Новий рік"
    assert date(2027, 8, 24) in holidays
    assert date(2027, 1, 7) not in holidays  # Christmas moved to 25 December in 2023


def test_working_days_between_counts_whole_days_after_the_first() -> None:
    calendar = WorkCalendar()
    due = kyiv(2026, 12, 30, 18, 0)
    assert calendar.working_days_between(due, kyiv(2026, 12, 30, 23, 0)) == 0
    assert calendar.working_days_between(due, kyiv(2026, 12, 31, 9, 0)) == 1
    assert calendar.working_days_between(due, kyiv(2027, 1, 4, 9, 0)) == 2  # New Year and the weekend skipped
    assert calendar.working_days_between(kyiv(2027, 1, 4, 9, 0), due) == 0


NOW = WEDNESDAY_BEFORE_NEW_YEAR
CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("P5D", kyiv(2027, 1, 7, 18, 0)),  # days are working days
        ("P1W", kyiv(2027, 1, 7, 18, 0)),  # a week is five working days
        ("P1DT2H", kyiv(2026, 12, 31, 20, 0)),  # time parts are clock time after the working days
        ("PT4H", kyiv(2026, 12, 30, 14, 0)),
        ("2027-01-15", kyiv(2027, 1, 15, 18, 0)),  # a date: the end of that working day
        ("2027-01-15T12:00:00", kyiv(2027, 1, 15, 12, 0)),  # naive: Kyiv time
        ("2027-01-15T12:00:00+00:00", datetime(2027, 1, 15, 12, 0, tzinfo=UTC)),
    ],
)
def test_due_dates_from_iso_values(raw: str, expected: datetime) -> None:
    assert due_at(raw, now=NOW, calendar=CALENDAR) == expected


def test_due_dates_from_expressions_over_process_data() -> None:
    data = {"urgent": True, "deadline": "2027-02-01"}
    evaluate = lambda expression: eval(expression, {}, dict(data))  # noqa: E731 - test stand-in for the sandbox
    assert due_at('"P1D" if urgent else "P10D"', now=NOW, calendar=CALENDAR, evaluate=evaluate) == kyiv(
        2026, 12, 31, 18, 0
    )
    assert due_at("deadline", now=NOW, calendar=CALENDAR, evaluate=evaluate) == kyiv(2027, 2, 1, 18, 0)
    assert due_at("3", now=NOW, calendar=CALENDAR, evaluate=evaluate) == kyiv(2027, 1, 5, 18, 0)


@pytest.mark.parametrize("raw", ["", "soon", "P", "2027-13-01"])
def test_bad_due_dates_are_refused(raw: str) -> None:
    with pytest.raises(DueDateError):
        due_at(raw, now=NOW, calendar=CALENDAR, evaluate=lambda expression: expression)
