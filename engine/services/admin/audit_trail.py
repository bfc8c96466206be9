"""Checking the audit trail's hash chain: the first event changed, removed or reordered, or how many are intact.

Each event's `previous_hash` must be the hash of the event before it (by id), and its `hash` must be SHA-256 over
its own canonical form (engine.store.audit_chain). A range starts from the hash of the event just before it; the
whole chain also ends at the chain head, so removing the newest events is noticed. A database rewritten with
consistent hashes passes these checks: anchors (engine.services.admin.audit_anchors) catch that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from engine.calendar import KYIV
from engine.models.audit_chain import GENESIS_HASH
from engine.store import audit_chain


class Tampering(StrEnum):
    CHANGED = "changed"
    REMOVED = "removed"
    REORDERED = "reordered"
    BROKEN_LINK = "broken_link"


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    kind: Tampering
    message: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_id: int | None
    last_id: int | None
    problem: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Days in Kyiv time, `until` included: [since 00:00, until+1 00:00)."""
    start = datetime.combine(since, time(), tzinfo=KYIV) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=KYIV) if until else None
    return start, end


def verify_chain(db: Session, *, since: date | None = None, until: date | None = None) -> ChainReport:
    """Check every event (or those of the days since…until) in id order; stops at the first break."""
    start, end = day_bounds(since, until)
    bounds = audit_chain.id_range(db, since=start, until=end)
    if bounds is None:
        problem = _check_head(db, None, GENESIS_HASH) if since is None and until is None else None
        return ChainReport(0, None, None, problem)
    first_id, last_id = bounds
    prev_id, prev_hash = audit_chain.hash_before(db, first_id)
    checked = 0
    for row in audit_chain.stored_rows(db, first_id=first_id, last_id=last_id):
        problem = _check_row(db, row, prev_id, prev_hash)
        if problem is not None:
            return ChainReport(checked, first_id, last_id, problem)
        checked += 1
        prev_id, prev_hash = row["id"], row["hash"]
    problem = _check_head(db, prev_id, prev_hash) if until is None else None
    return ChainReport(checked, first_id, last_id, problem)


def _check_row(db: Session, row: dict[str, Any], prev_id: int | None, prev_hash: str) -> ChainBreak | None:
    event_id = int(row["id"])
    if row["previous_hash"] != prev_hash:
        return _broken_link(db, row, prev_id)
    if audit_chain.event_hash(row) != row["hash"]:
        return ChainBreak(
            event_id, Tampering.CHANGED, f"event {event_id} was changed: its content no longer matches its hash"
        )
    return None


def _broken_link(db: Session, row: dict[str, Any], prev_id: int | None) -> ChainBreak:
    event_id = int(row["id"])
    linked_to = audit_chain.id_with_hash(db, row["previous_hash"])
    if linked_to is not None and linked_to != prev_id:
        return ChainBreak(
            event_id,
            Tampering.REORDERED,
            f"event {event_id} was reordered: it was written after the event now numbered {linked_to}",
        )
    expected = (prev_id or 0) + 1
    if event_id > expected:
        missing = str(expected) if event_id == expected + 1 else f"{expected}–{event_id - 1}"
        return ChainBreak(
            expected,
            Tampering.REMOVED,
            f"event {missing} was removed: event {event_id} links to an event that is no longer there",
        )
    after = f"event {prev_id}" if prev_id is not None else "the start of the chain"
    return ChainBreak(
        event_id,
        Tampering.BROKEN_LINK,
        f"event {event_id} does not follow {after}: an event was removed, inserted or its hash rewritten",
    )


def _check_head(db: Session, last_id: int | None, last_hash: str) -> ChainBreak | None:
    """The chain must end where the head says: newer events removed leave the head behind them."""
    head = audit_chain.head(db)
    if head.last_id == (last_id or 0) and head.last_hash == last_hash:
        return None
    if head.last_id > (last_id or 0):
        first = (last_id or 0) + 1
        missing = str(first) if first == head.last_id else f"{first}–{head.last_id}"
        return ChainBreak(first, Tampering.REMOVED, f"event {missing} was removed: the chain head names {head.last_id}")
    return ChainBreak(
        last_id or 0,
        Tampering.BROKEN_LINK,
        f"the chain head (event {head.last_id}) does not match the last event {last_id}: the head was rewritten",
    )
