"""Applications (running cases), their open human tasks, attachments and the audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, clock_now
from engine.models.catalog import ServiceVersion
from engine.models.directory import Organisation, User


class ApplicationStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"
    SUSPENDED = "suspended"
    """Stopped by an operator: no step, timer or job runs until it is resumed (`suspended_from` is restored)."""


class Application(Base):
    """One citizen's case. `state_json` is the engine state without the spec, as ordered JSON text."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    service_version_id: Mapped[int] = mapped_column(ForeignKey("service_version.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.ACTIVE.value, index=True)
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    state_json: Mapped[str] = mapped_column(Text)
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    error_element: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    suspended_from: Mapped[str | None] = mapped_column(String(20), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service_version: Mapped[ServiceVersion] = relationship()
    applicant: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    tasks: Mapped[list[HumanTask]] = relationship(back_populates="application", order_by="HumanTask.created_at")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's documented spelling


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class HumanTask(Base):
    """The worklist: one row per human task, written in the same transaction as the engine state."""

    __tablename__ = "human_task"
    __table_args__ = (Index("ix_human_task_open_org", "status", "organisation_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    is_start_form: Mapped[bool] = mapped_column(default=False)
    for_applicant: Mapped[bool] = mapped_column(default=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN.value)
    draft_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)

    application: Mapped[Application] = relationship(back_populates="tasks")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    candidates: Mapped[list[TaskCandidate]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskCandidate.id"
    )

    @property
    def groups(self) -> list[str]:
        return [c.value for c in self.candidates if c.kind == "group"]

    @property
    def users(self) -> list[str]:
        return [c.value for c in self.candidates if c.kind == "user"]


class TaskCandidate(Base):
    """A group or user who may take a task; a table rather than a list so queues are indexed queries."""

    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_lookup", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(150))

    task: Mapped[HumanTask] = relationship(back_populates="candidates")


class Attachment(Base):
    """An uploaded file; the bytes live on disk under the upload directory, named by the row id."""

    __tablename__ = "attachment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), nullable=True, index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)


class AuditEvent(Base):
    """Who did what, when, to which application and task; never updated or deleted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(150), default="system")
    action: Mapped[str] = mapped_column(String(60))
    application_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    """No foreign key: an event outlives its case, and the hashed value must not change when the case goes."""
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 over the canonical form of this event and `previous_hash` (engine.store.audit_chain)."""
