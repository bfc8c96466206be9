"""An official's saved queue filters: a name and the filter as an address query."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class SavedQueueFilter(Base):
    __tablename__ = "saved_queue_filter"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(String(1000))
    """The filters as `service=…&due=overdue` (engine.services.worklist.queue_filters.QueueQuery.as_args)."""
