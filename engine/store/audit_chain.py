"""The audit trail as a hash chain: each event's `hash` is SHA-256 over its canonical form and the previous hash.

Appending takes the one-row `audit_chain_head` FOR UPDATE (once per transaction; on SQLite writers are serialised
anyway), hands out the next ids in order, hashes and writes the events, and moves the head (one UPDATE per batch).
Ids come from the head, not from a sequence: two writers that missed the lock would collide on the primary key
instead of forking the chain. Events added with the ORM (`engine.store.audit.record`) are chained at flush time.

NOTE: the head stays locked until the transaction ends, so lock a case (`applications.lock`) before auditing in
the same transaction, never after: a unit of work holding the head while waiting for a case that a step holds,
which then waits for the head, is a deadlock (PostgreSQL aborts one of them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, SessionTransaction

from engine.models import AuditChainHead, AuditEvent
from engine.models.audit_chain import GENESIS_HASH
from engine.store import statements

HEAD_ID = 1
_HEAD_KEY = "audit_chain_head"
_PENDING_KEY = "audit_pending"
HASHED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "application_id",
    "task_id",
    "element_id",
    "details_json",
    "previous_hash",
)


def canonical_time(at: datetime) -> str:
    """Microseconds in UTC, always written out: what PostgreSQL and SQLite both hand back unchanged."""
    if at.tzinfo is None:
        raise ValueError("naive datetime in an audit event")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_form(values: dict[str, Any]) -> bytes:
    """JSON with sorted keys and no spaces, of the hashed fields (`at` in `canonical_time`), UTF-8."""
    fields = {name: values.get(name) for name in HASHED_FIELDS}
    fields["at"] = canonical_time(values["at"])
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def event_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_form(values)).hexdigest()


@dataclass
class ChainHead:
    last_id: int
    last_hash: str


def _locked_head(db: Session) -> ChainHead:
    """The head, taken FOR UPDATE once per transaction (later batches of the same transaction reuse it)."""
    head: ChainHead | None = db.info.get(_HEAD_KEY)
    if head is None:
        found = db.connection().execute(_head_for_update()).one()
        head = ChainHead(found.last_id, found.last_hash)
        db.info[_HEAD_KEY] = head
    return head


def _head_for_update() -> Any:
    return (
        select(AuditChainHead.last_id, AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID).with_for_update()
    )


def chain(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Give each row (column values, in order) its id, `previous_hash` and `hash`, and move the head past them.

    The caller writes the rows in the same transaction, right after."""
    if not rows:
        return
    head = _locked_head(db)
    last_id, last_hash = head.last_id, head.last_hash
    for values in rows:
        last_id += 1
        values["id"] = last_id
        values["previous_hash"] = last_hash
        values["hash"] = last_hash = event_hash(values)
    statements.run(
        db,
        update(AuditChainHead).where(AuditChainHead.id == HEAD_ID),
        {"last_id": last_id, "last_hash": last_hash},
    )
    head.last_id, head.last_hash = last_id, last_hash


def append(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Chain and write events given as column values, in one INSERT."""
    if rows:
        chained = [dict(values) for values in rows]
        chain(db, chained)
        statements.run(db, statements.plain_insert(AuditEvent), chained)


def add_pending(db: Session, audit_event: AuditEvent) -> None:
    """Add an ORM event; it is chained (id and hashes) when the session next flushes, in the order added."""
    db.info.setdefault(_PENDING_KEY, []).append(audit_event)
    db.add(audit_event)


def _chain_pending(db: Session, _flush_context: Any, _instances: Any) -> None:
    pending: list[AuditEvent] = db.info.pop(_PENDING_KEY, [])
    waiting = [item for item in pending if item in db.new]
    if not waiting:
        return
    rows = [{name: getattr(item, name) for name in HASHED_FIELDS if name != "previous_hash"} for item in waiting]
    chain(db, rows)
    for item, values in zip(waiting, rows, strict=True):
        item.id, item.previous_hash, item.hash = values["id"], values["previous_hash"], values["hash"]


def _forget_head(db: Session, transaction: SessionTransaction) -> None:
    """A transaction or savepoint ended: the next append reads the head again (still under the lock, if held).
    A flush's own inner transaction ending changes nothing."""
    if transaction.nested or transaction.parent is None:
        db.info.pop(_HEAD_KEY, None)


def _forget_pending(db: Session, *_args: Any) -> None:
    db.info.pop(_PENDING_KEY, None)
    db.info.pop(_HEAD_KEY, None)


event.listen(Session, "before_flush", _chain_pending)
event.listen(Session, "after_transaction_end", _forget_head)
event.listen(Session, "after_soft_rollback", _forget_pending)


# -- reading the chain back --------------------------------------------------------------------------------------

CHUNK = 2000


def head(db: Session) -> ChainHead:
    found = db.execute(
        select(AuditChainHead.last_id, AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID)
    ).one()
    return ChainHead(found.last_id, found.last_hash)


def stored_rows(db: Session, *, first_id: int, last_id: int) -> Iterator[dict[str, Any]]:
    """Events with first_id ≤ id ≤ last_id as column values, in id order, read in chunks (keyset)."""
    columns = [getattr(AuditEvent, name) for name in (*HASHED_FIELDS, "hash")]
    after = first_id - 1
    while True:
        chunk = db.execute(
            select(*columns).where(AuditEvent.id > after, AuditEvent.id <= last_id).order_by(AuditEvent.id).limit(CHUNK)
        ).all()
        for found in chunk:
            yield dict(found._mapping)
        if len(chunk) < CHUNK:
            return
        after = chunk[-1].id


def hash_before(db: Session, event_id: int) -> tuple[int | None, str]:
    """The id and hash of the event just before `event_id` (the genesis hash before the first)."""
    found = db.execute(
        select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id < event_id).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (None, GENESIS_HASH) if found is None else (found.id, found.hash)


def id_with_hash(db: Session, value: str) -> int | None:
    """The event whose hash is `value` (only asked when a link is broken: a scan is fine then)."""
    return db.scalar(select(AuditEvent.id).where(AuditEvent.hash == value).limit(1))


def id_range(db: Session, *, since: datetime | None, until: datetime | None) -> tuple[int, int] | None:
    """The first and last event id with since ≤ at < until (None: no event in that period)."""
    query = select(func.min(AuditEvent.id), func.max(AuditEvent.id))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    low, high = db.execute(query).one()
    return None if low is None else (int(low), int(high))


def event_at(db: Session, event_id: int) -> tuple[int, str, datetime] | None:
    found = db.execute(select(AuditEvent.id, AuditEvent.hash, AuditEvent.at).where(AuditEvent.id == event_id)).first()
    return None if found is None else (found.id, found.hash, found.at)
