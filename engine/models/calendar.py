"""The working calendar, platform settings and escalation rules (data administrators edit)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, clock_now
from engine.models.catalog import Service


class DayKind(StrEnum):
    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"


class CalendarDay(Base):
    """An administrator's adjustment: an extra day off, or a transferred working day (e.g. a Saturday)."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    updated_by: Mapped[str] = mapped_column(String(150), default="system")


class PlatformSetting(Base):
    """A key/value setting administrators change at run time (values are JSON text)."""

    __tablename__ = "platform_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    updated_by: Mapped[str] = mapped_column(String(150), default="system")


class EscalationCondition(StrEnum):
    OVERDUE = "overdue"
    UNCLAIMED = "unclaimed"


class EscalationRule(Base):
    """When a task is `days` working days overdue, or unclaimed for `days` calendar days: notify the
    organisation's supervisors and/or reassign it to a group. No service means every service."""

    __tablename__ = "escalation_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    condition: Mapped[str] = mapped_column(String(20))
    days: Mapped[int] = mapped_column(Integer)
    notify_supervisors: Mapped[bool] = mapped_column(Boolean, default=True)
    reassign_group: Mapped[str | None] = mapped_column(String(64), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)

    service: Mapped[Service | None] = relationship()


class EscalationFiring(Base):
    """A rule fired for a task: at most once per (rule, task)."""

    __tablename__ = "escalation_firing"
    __table_args__ = (UniqueConstraint("rule_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("escalation_rule.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    notified: Mapped[int] = mapped_column(Integer, default=0)
    reassigned_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
