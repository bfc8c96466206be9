"""Other systems that may deliver BPMN messages to applications (a payment provider, another registry)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime, clock_now


class Integration(Base):
    """One calling system with its own token; only the token's SHA-256 digest is stored."""

    __tablename__ = "integration"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    allowed_messages_json: Mapped[str] = mapped_column(Text, default="[]")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def allowed_messages(self) -> list[str]:
        value = json.loads(self.allowed_messages_json or "[]")
        return [str(v) for v in value] if isinstance(value, list) else []

    def allows(self, message_name: str) -> bool:
        return message_name in self.allowed_messages
