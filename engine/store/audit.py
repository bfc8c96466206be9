"""The audit trail: append-only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import AuditEvent
from engine.store import audit_chain


def record(
    db: Session,
    *,
    action: str,
    actor_id: int | None,
    actor: str,
    application_id: int | None = None,
    task_id: str | None = None,
    element_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event; it is chained and written with the unit of work's next flush, beside its other rows."""
    event = AuditEvent(
        **row(
            db,
            action=action,
            actor_id=actor_id,
            actor=actor,
            application_id=application_id,
            task_id=task_id,
            element_id=element_id,
            details=details,
        )
    )
    audit_chain.add_pending(db, event)
    return event


def row(
    db: Session,
    *,
    action: str,
    actor_id: int | None,
    actor: str,
    application_id: int | None = None,
    task_id: str | None = None,
    element_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit event as column values, to be written with others by `record_many`."""
    return {
        "at": session_now(db),
        "action": action,
        "actor_id": actor_id,
        "actor": actor,
        "application_id": application_id,
        "task_id": task_id,
        "element_id": element_id,
        "details_json": json.dumps(details or {}, ensure_ascii=False, default=str),
    }


def record_many(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write the events of one step in one statement (after the rows they refer to are written), chained."""
    audit_chain.append(db, rows)


def for_application(db: Session, application_id: int) -> Sequence[AuditEvent]:
    return db.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application_id).order_by(AuditEvent.id)
    ).all()


def recent(db: Session, *, limit: int = 200) -> Sequence[AuditEvent]:
    return db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()


def count_for_application(db: Session, application_id: int, *, actions: Sequence[str]) -> int:
    return int(
        db.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.application_id == application_id, AuditEvent.action.in_(list(actions))
            )
        )
        or 0
    )


def page_for_application(
    db: Session, application_id: int, *, actions: Sequence[str], offset: int, limit: int
) -> Sequence[AuditEvent]:
    """Newest first."""
    return db.scalars(
        select(AuditEvent)
        .where(AuditEvent.application_id == application_id, AuditEvent.action.in_(list(actions)))
        .order_by(AuditEvent.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()


SIGN_IN_ACTIONS = ("auth.signed_in", "auth.sign_in_failed", "auth.locked")


def _sign_ins(user_id: int, username: str) -> Any:
    """A person's sign-ins: by their id, or under their username when the attempt named them (failures, locks)."""
    return (AuditEvent.action.in_(SIGN_IN_ACTIONS)) & (
        (AuditEvent.actor_id == user_id)
        | ((AuditEvent.actor_id.is_(None)) & (func.lower(AuditEvent.actor) == username.casefold()))
    )


def count_sign_ins(db: Session, *, user_id: int, username: str) -> int:
    return int(db.scalar(select(func.count(AuditEvent.id)).where(_sign_ins(user_id, username))) or 0)


def page_of_sign_ins(db: Session, *, user_id: int, username: str, offset: int, limit: int) -> Sequence[AuditEvent]:
    """Newest first."""
    return db.scalars(
        select(AuditEvent)
        .where(_sign_ins(user_id, username))
        .order_by(AuditEvent.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
