"""Refusals of the per-address throttles (webapp/throttles.py), audited in a transaction of their own.

The refused request answers 429, which rolls its own transaction back; the caller audits a refusal at most once
per address, endpoint and window, so a flood of refused requests cannot fill the audit table.
"""

from __future__ import annotations

from engine.db import unit_of_work
from engine.services.context import Platform
from engine.store import audit


def record_throttled(
    platform: Platform, *, endpoint: str, limit: str, address: str, actor_id: int | None, actor: str
) -> None:
    """Audit `auth.throttled`: requests from `address` to `endpoint` went over `limit` (e.g. "20 per 1 minute")."""
    with unit_of_work(platform.write_sessions) as db:
        audit.record(
            db,
            action="auth.throttled",
            actor_id=actor_id,
            actor=actor[:150],
            details={"endpoint": endpoint, "limit": limit, "address": address},
        )
