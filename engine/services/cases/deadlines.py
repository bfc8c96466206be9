"""Due dates of human tasks: `camunda:dueDate` (working days, a date, or an expression) or the service's SLA.

`P5D` means five working days (weeks count five working days each); months, years and time parts are added as
calendar time. A date means the end (18:00 Kyiv) of that day; a date-time is taken as is (naive: Kyiv time).
Anything that is not an ISO literal is a Python expression over the process data returning one of those, or
a number of working days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from engine.calendar import END_OF_DAY, KYIV, WorkCalendar
from engine.runtime.timers import add_months, is_iso_literal, parse_duration

log = logging.getLogger(__name__)
Evaluate = Callable[[str], Any]


class DueDateError(ValueError):
    """The due date expression cannot be turned into a moment."""


def due_at(raw: str, *, now: datetime, calendar: WorkCalendar, evaluate: Evaluate | None = None) -> datetime:
    """The moment a task with this `camunda:dueDate` is due, counted from `now`."""
    text = raw.strip()
    if not text:
        raise DueDateError("empty due date")
    if is_iso_literal(text):
        value: Any = text
    elif evaluate is None:
        raise DueDateError(f"{text!r} is an expression and there is no process data to evaluate it")
    else:
        try:
            value = evaluate(text)
        except Exception as exc:  # analysts' expression: any error means "no due date from it"
            raise DueDateError(f"{text!r} failed: {exc}") from exc
    return _moment(value, now=now, calendar=calendar)


def _moment(value: Any, *, now: datetime, calendar: WorkCalendar) -> datetime:
    if isinstance(value, bool):
        raise DueDateError(f"{value!r} is not a due date")
    if isinstance(value, int):
        return calendar.add_working_days(now, value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=KYIV)).astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, END_OF_DAY, tzinfo=KYIV).astimezone(UTC)
    if not isinstance(value, str):
        raise DueDateError(f"{value!r} is not a due date")
    text = value.strip()
    if text.upper().startswith("P"):
        return _after_duration(text, now=now, calendar=calendar)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DueDateError(f"{text!r} is neither an ISO 8601 duration nor a date") from exc
    if len(text) <= 10:
        return datetime.combine(parsed.date(), END_OF_DAY, tzinfo=KYIV).astimezone(UTC)
    if parsed.tzinfo is None:
        parsed = datetime.combine(parsed.date(), parsed.time() or time(), tzinfo=KYIV)
    return parsed.astimezone(UTC)


def _after_duration(text: str, *, now: datetime, calendar: WorkCalendar) -> datetime:
    try:
        parts = parse_duration(text)
    except ValueError as exc:
        raise DueDateError(str(exc)) from exc
    working = int(parts.pop("days", 0)) + 5 * int(parts.pop("weeks", 0))
    moment = calendar.add_working_days(now, working) if working else now
    if parts.get("years") or parts.get("months"):
        moment = add_months(moment, parts.pop("years", 0), parts.pop("months", 0))
    rest = {k: v for k, v in parts.items() if k in ("hours", "minutes", "seconds")}
    return moment + timedelta(**rest)


def due_or_none(raw: str, *, now: datetime, calendar: WorkCalendar, evaluate: Evaluate | None) -> datetime | None:
    """Like `due_at`, but a broken expression leaves the task without this due date (and is logged)."""
    try:
        return due_at(raw, now=now, calendar=calendar, evaluate=evaluate)
    except DueDateError as exc:
        log.warning("due date ignored: %s", exc)
        return None
