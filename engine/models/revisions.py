"""Revision counters of data every host caches (the directory, the working calendar).

A change to cached data bumps its counter in the same transaction; a host compares the counters with the ones its
cache was built at (one small query per unit of work) and rebuilds what changed, so no host serves stale data.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class CacheRevision(Base):
    __tablename__ = "cache_revision"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
