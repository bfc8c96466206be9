"""The outbox of e-mails waiting for the worker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import HumanTask, OutboxMessage, Role, TaskStatus, User
from engine.store import statements


def add(db: Session, message: OutboxMessage) -> OutboxMessage:
    db.add(message)
    db.flush()
    return message


def lock(db: Session, message_id: int) -> OutboxMessage | None:
    return db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def existing_message_ids(db: Session, message_ids: Iterable[str]) -> set[str]:
    wanted = list(message_ids)
    if not wanted:
        return set()
    return set(db.scalars(select(OutboxMessage.message_id).where(OutboxMessage.message_id.in_(wanted))).all())


def for_application(db: Session, application_id: int) -> Sequence[OutboxMessage]:
    return db.scalars(
        select(OutboxMessage).where(OutboxMessage.application_id == application_id).order_by(OutboxMessage.id)
    ).all()


def listing(db: Session, *, limit: int = 200) -> Sequence[OutboxMessage]:
    return db.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)).all()


def overdue_official_tasks(db: Session, now: datetime) -> Sequence[HumanTask]:
    return db.scalars(
        select(HumanTask)
        .where(
            HumanTask.status == TaskStatus.OPEN.value,
            HumanTask.for_applicant.is_(False),
            HumanTask.due_at.is_not(None),
            HumanTask.due_at < now,
        )
        .order_by(HumanTask.due_at)
    ).all()


def active_staff(db: Session) -> Sequence[User]:
    return db.scalars(
        select(User).where(User.active.is_(True), User.role == Role.OFFICIAL.value, User.email != "").order_by(User.id)
    ).all()


def find_by_message_id(db: Session, message_id: str) -> OutboxMessage | None:
    return db.scalar(select(OutboxMessage).where(OutboxMessage.message_id == message_id))


def add_once(db: Session, **values: Any) -> int | None:
    """Insert an outbox row unless one with its Message-ID exists (one statement); the new id, or None."""
    statement = statements.insert_or_ignore(db, OutboxMessage, "message_id", returning="id")
    found: int | None = statements.run(db, statement, values).scalar()
    return found


def id_of(db: Session, message_id: str) -> int:
    found = db.scalar(select(OutboxMessage.id).where(OutboxMessage.message_id == message_id))
    assert found is not None, message_id
    return found
