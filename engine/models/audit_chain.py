"""The head of the audit trail's hash chain: one row, locked by every unit of work that appends events."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base

GENESIS_HASH = "0" * 64
"""The `previous_hash` of the first event."""


class AuditChainHead(Base):
    """The last event's id and hash. Appenders take this row FOR UPDATE, so concurrent writers on PostgreSQL
    append one after another and the chain never forks; event ids are handed out from `last_id`."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
