"""The stored working calendar and settings, and escalation rules with their firings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from engine.calendar import WorkCalendar
from engine.models import CalendarDay, DayKind, EscalationFiring, EscalationRule, PlatformSetting

HOLIDAYS_ARE_DAYS_OFF = "holidays_are_days_off"
SETTING_DEFAULTS: dict[str, Any] = {HOLIDAYS_ARE_DAYS_OFF: True}


def get_setting(db: Session, key: str) -> Any:
    row = db.get(PlatformSetting, key)
    return json.loads(row.value_json) if row is not None else SETTING_DEFAULTS.get(key)


def set_setting(db: Session, key: str, value: Any, *, by: str, at: datetime) -> None:
    row = db.get(PlatformSetting, key)
    if row is None:
        row = PlatformSetting(key=key, value_json="null")
        db.add(row)
    row.value_json = json.dumps(value)
    row.updated_by = by
    row.updated_at = at
    db.flush()


def load_calendar(db: Session) -> WorkCalendar:
    """The calendar as configured now; deadlines computed afterwards use any change."""
    days = db.scalars(select(CalendarDay)).all()
    return WorkCalendar(
        holidays_are_days_off=bool(get_setting(db, HOLIDAYS_ARE_DAYS_OFF)),
        days_off=frozenset(d.day for d in days if d.kind == DayKind.DAY_OFF.value),
        working_days=frozenset(d.day for d in days if d.kind == DayKind.WORKING_DAY.value),
    )


def list_days(db: Session, *, since: date | None = None) -> Sequence[CalendarDay]:
    query = select(CalendarDay).order_by(CalendarDay.day)
    if since is not None:
        query = query.where(CalendarDay.day >= since)
    return db.scalars(query).all()


def find_day(db: Session, day: date) -> CalendarDay | None:
    return db.scalar(select(CalendarDay).where(CalendarDay.day == day))


def get_day(db: Session, day_id: int) -> CalendarDay | None:
    return db.get(CalendarDay, day_id)


def add(db: Session, row: CalendarDay | EscalationRule | EscalationFiring) -> None:
    db.add(row)
    db.flush()


def delete(db: Session, row: CalendarDay | EscalationRule) -> None:
    db.delete(row)
    db.flush()


# -- escalation rules ------------------------------------------------------------------------------


def list_rules(db: Session, *, active_only: bool = False) -> Sequence[EscalationRule]:
    query = select(EscalationRule).options(joinedload(EscalationRule.service)).order_by(EscalationRule.id)
    if active_only:
        query = query.where(EscalationRule.active.is_(True))
    return db.scalars(query).all()


def get_rule(db: Session, rule_id: int) -> EscalationRule | None:
    return db.get(EscalationRule, rule_id)


def fired_pairs(db: Session, rule_ids: Sequence[int]) -> set[tuple[int, str]]:
    rows = db.execute(
        select(EscalationFiring.rule_id, EscalationFiring.task_id).where(
            EscalationFiring.rule_id.in_(list(rule_ids) or [-1])
        )
    ).all()
    return {(rule_id, task_id) for rule_id, task_id in rows}


def find_firing(db: Session, rule_id: int, task_id: str) -> EscalationFiring | None:
    return db.scalar(
        select(EscalationFiring).where(EscalationFiring.rule_id == rule_id, EscalationFiring.task_id == task_id)
    )


def firings_for_rule(db: Session, rule_id: int, *, limit: int = 50) -> Sequence[EscalationFiring]:
    return db.scalars(
        select(EscalationFiring)
        .where(EscalationFiring.rule_id == rule_id)
        .order_by(EscalationFiring.fired_at.desc())
        .limit(limit)
    ).all()


def firing_counts(db: Session) -> dict[int, int]:
    """How often each escalation rule has fired, by rule id."""
    rows = db.execute(select(EscalationFiring.rule_id, func.count()).group_by(EscalationFiring.rule_id)).all()
    return {rule_id: count for rule_id, count in rows}
