"""Administrators' use cases: the working-day calendar and the escalation rules (all changes audited).

A calendar change applies to deadlines computed afterwards; existing due dates stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from engine.calendar import public_holidays
from engine.models import CalendarDay, DayKind, EscalationCondition, EscalationRule, Service
from engine.services.context import Actor, Platform
from engine.services.errors import ForbiddenError, NotFoundError
from engine.store import audit, catalog, directory
from engine.store import calendar as store


@dataclass(frozen=True)
class CalendarDayView:
    id: int
    day: date
    kind: str
    note: str
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class HolidayView:
    day: date
    name: str
    is_day_off: bool


@dataclass(frozen=True)
class CalendarOverview:
    year: int
    holidays_are_days_off: bool
    holidays: list[HolidayView]
    adjustments: list[CalendarDayView]


@dataclass(frozen=True)
class RuleInput:
    service_id: int | None
    element_id: str | None
    condition: str
    days: int
    notify_supervisors: bool
    reassign_group: str | None
    active: bool


@dataclass(frozen=True)
class RuleView(RuleInput):
    id: int
    service_title: str
    firings: int


@dataclass(frozen=True)
class RuleChoices:
    services: list[tuple[int, str]]
    groups: list[tuple[str, str]]


def _admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise ForbiddenError("administrators only")


def _record(db: Session, actor: Actor, action: str, details: dict[str, object]) -> None:
    audit.record(db, action=action, actor_id=actor.user_id, actor=actor.username, details=details)


# -- calendar --------------------------------------------------------------------------------------


def calendar_overview(db: Session, actor: Actor, year: int) -> CalendarOverview:
    _admin(actor)
    work_calendar = store.load_calendar(db)
    days = [d for d in store.list_days(db) if d.day.year == year]
    return CalendarOverview(
        year=year,
        holidays_are_days_off=work_calendar.holidays_are_days_off,
        holidays=[
            HolidayView(day=day, name=name, is_day_off=not work_calendar.is_working_day(day))
            for day, name in public_holidays(year).items()
        ],
        adjustments=[_day_view(d) for d in days],
    )


def _day_view(row: CalendarDay) -> CalendarDayView:
    return CalendarDayView(
        id=row.id, day=row.day, kind=row.kind, note=row.note, updated_by=row.updated_by, updated_at=row.updated_at
    )


def set_holidays_are_days_off(db: Session, platform: Platform, actor: Actor, value: bool) -> None:
    _admin(actor)
    store.set_setting(db, store.HOLIDAYS_ARE_DAYS_OFF, value, by=actor.username, at=platform.clock.now())
    _record(db, actor, "calendar.setting_changed", {"key": store.HOLIDAYS_ARE_DAYS_OFF, "value": value})


def set_calendar_day(db: Session, platform: Platform, actor: Actor, *, day: date, kind: str, note: str) -> int:
    """Make `day` a day off or a working day (replacing an earlier adjustment of that date); returns its id."""
    _admin(actor)
    if kind not in {k.value for k in DayKind}:
        raise ValueError(f"unknown day kind {kind!r}")
    row = store.find_day(db, day)
    if row is None:
        row = CalendarDay(day=day, kind=kind)
        store.add(db, row)
    row.kind, row.note = kind, note.strip()[:300]
    row.updated_by, row.updated_at = actor.username, platform.clock.now()
    db.flush()
    _record(db, actor, "calendar.day_set", {"day": day.isoformat(), "kind": kind, "note": row.note})
    return row.id


def remove_calendar_day(db: Session, actor: Actor, day_id: int) -> None:
    _admin(actor)
    row = store.get_day(db, day_id)
    if row is None:
        raise NotFoundError(str(day_id))
    _record(db, actor, "calendar.day_removed", {"day": row.day.isoformat(), "kind": row.kind})
    store.delete(db, row)


# -- escalation rules ------------------------------------------------------------------------------


def rule_choices(db: Session, actor: Actor) -> RuleChoices:
    _admin(actor)
    services = catalog.list_services(db)
    return RuleChoices(
        services=[(s.id, _service_title(s)) for s in services],
        groups=[
            (g.slug, f"{g.name} ({g.organisation.name})") for o in directory.list_organisations(db) for g in o.groups
        ],
    )


def _service_title(service: Service) -> str:
    return service.current_version.title if service.current_version else service.process_id


def list_rules(db: Session, actor: Actor) -> list[RuleView]:
    _admin(actor)
    counts = store.firing_counts(db)
    return [_rule_view(rule, counts.get(rule.id, 0)) for rule in store.list_rules(db)]


def get_rule(db: Session, actor: Actor, rule_id: int) -> RuleView:
    _admin(actor)
    rule = store.get_rule(db, rule_id)
    if rule is None:
        raise NotFoundError(str(rule_id))
    return _rule_view(rule, len(store.firings_for_rule(db, rule.id, limit=10_000)))


def _rule_view(rule: EscalationRule, firings: int) -> RuleView:
    service = rule.service
    title = (
        "" if service is None else (service.current_version.title if service.current_version else service.process_id)
    )
    return RuleView(
        id=rule.id,
        service_id=rule.service_id,
        element_id=rule.element_id,
        condition=rule.condition,
        days=rule.days,
        notify_supervisors=rule.notify_supervisors,
        reassign_group=rule.reassign_group,
        active=rule.active,
        service_title=title,
        firings=firings,
    )


def _check_rule(db: Session, data: RuleInput) -> None:
    if data.condition not in {c.value for c in EscalationCondition}:
        raise ValueError(f"unknown condition {data.condition!r}")
    if data.days < 0:
        raise ValueError("days must not be negative")
    if data.service_id is not None and catalog.get_service(db, data.service_id) is None:
        raise ValueError(f"no service {data.service_id}")
    if data.reassign_group and directory.find_group(db, data.reassign_group) is None:
        raise ValueError(f"no group {data.reassign_group!r}")


def _apply(rule: EscalationRule, data: RuleInput, now: datetime) -> None:
    rule.service_id = data.service_id
    rule.element_id = (data.element_id or "").strip() or None
    rule.condition = data.condition
    rule.days = data.days
    rule.notify_supervisors = data.notify_supervisors
    rule.reassign_group = data.reassign_group or None
    rule.active = data.active
    rule.updated_at = now


def create_rule(db: Session, platform: Platform, actor: Actor, data: RuleInput) -> int:
    _admin(actor)
    _check_rule(db, data)
    now = platform.clock.now()
    rule = EscalationRule(created_at=now)
    _apply(rule, data, now)
    store.add(db, rule)
    _record(db, actor, "escalation_rule.created", {"rule": rule.id, **data.__dict__})
    return rule.id


def update_rule(db: Session, platform: Platform, actor: Actor, rule_id: int, data: RuleInput) -> None:
    _admin(actor)
    rule = store.get_rule(db, rule_id)
    if rule is None:
        raise NotFoundError(str(rule_id))
    _check_rule(db, data)
    _apply(rule, data, platform.clock.now())
    db.flush()
    _record(db, actor, "escalation_rule.updated", {"rule": rule.id, **data.__dict__})


def delete_rule(db: Session, actor: Actor, rule_id: int) -> None:
    _admin(actor)
    rule = store.get_rule(db, rule_id)
    if rule is None:
        raise NotFoundError(str(rule_id))
    _record(db, actor, "escalation_rule.deleted", {"rule": rule.id})
    store.delete(db, rule)
