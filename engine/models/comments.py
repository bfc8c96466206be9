"""Comments on a case: officials' internal notes (staff only) and messages to the citizen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime, clock_now


class CaseComment(Base):
    __tablename__ = "case_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(300))
    """The author's name as shown (kept if the account changes)."""
    to_citizen: Mapped[bool] = mapped_column(Boolean, default=False)
    """A message the citizen reads (and is mailed); otherwise an internal note only staff see."""
    body: Mapped[str] = mapped_column(Text)
    """Plain text: pages escape it, so no markup ever reaches anyone."""
    attachment_id: Mapped[str | None] = mapped_column(ForeignKey("attachment.id"), nullable=True)
    """A file sent with it (an internal note's file is never the citizen's: engine/services/cases/attachments.py)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
