"""Studio data: form documents edited in the browser and sandbox test runs of service versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, clock_now
from engine.models.catalog import ServiceVersion


class FormDocument(Base):
    """A form file's JSON kept in the database: hosts share no disk, and these override `forms/` files."""

    __tablename__ = "form_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    updated_by: Mapped[str] = mapped_column(String(150), default="")


class TestRunStatus:
    ACTIVE = "active"
    COMPLETED = "completed"
    ERROR = "error"


class TestRun(Base):
    """A sandbox run of a version by an analyst: never an application, a task of the worklist or statistics."""

    __tablename__ = "test_run"
    __test__ = False  # not a pytest test class

    id: Mapped[int] = mapped_column(primary_key=True)
    service_version_id: Mapped[int] = mapped_column(ForeignKey("service_version.id"), index=True)
    analyst_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True, index=True)
    state_json: Mapped[str] = mapped_column(Text)
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    history_json: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(20), default=TestRunStatus.ACTIVE)
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)

    version: Mapped[ServiceVersion] = relationship()
