"""Refusals of the per-address throttles (webapp/throttles.py), audited in a transaction of their own.

The refused request answers 429, which rolls its own transaction back; the caller audits a refusal at most once
per address, endpoint and window, so a flood of refused requests cannot fill the audit table.
"""

from __future__ import annotations

from engine.db import unit_of_work
from engine.services.context import Platform
from engine.store import audit, directory


def record_throttled(platform: Platform, *, endpoint: str, limit: str, address: str, user_id: int | None) -> None:
    """Audit `auth.throttled`: requests from `address` to `endpoint` went over `limit` (e.g. "20 per 1 minute").

    `user_id` is the signed-in person's, if any; it is looked up here, never through the request's own session
    (on SQLite that session may hold the writer lock this transaction needs).
    """
    with unit_of_work(platform.write_sessions) as db:
        user = directory.get_user(db, user_id) if user_id is not None else None
        audit.record(
            db,
            action="auth.throttled",
            actor_id=user.id if user is not None else None,
            actor=user.username if user is not None else "anonymous",
            details={"endpoint": endpoint, "limit": limit, "address": address},
        )
