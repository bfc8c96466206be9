"""The audit trail: append-only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import AuditEvent


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
    event = AuditEvent(
        at=session_now(db),
        action=action,
        actor_id=actor_id,
        actor=actor,
        application_id=application_id,
        task_id=task_id,
        element_id=element_id,
        details_json=json.dumps(details or {}, ensure_ascii=False, default=str),
    )
    db.add(event)
    db.flush()
    return event


def for_application(db: Session, application_id: int) -> Sequence[AuditEvent]:
    return db.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application_id).order_by(AuditEvent.id)
    ).all()


def recent(db: Session, *, limit: int = 200) -> Sequence[AuditEvent]:
    return db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
