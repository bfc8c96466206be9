"""Citizens' ratings of finished cases and the daily statistics the public pages read.

The statistics tables are an aggregate the worker rewrites a day at a time (engine.services.statistics); pages and
the API read only them, never the applications, so a request costs the same at a thousand cases or a million.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.applications import Application
from engine.models.base import Base, UTCDateTime, clock_now


class CaseRating(Base):
    """The applicant's rating (1–5, optional comment) of a completed case: at most one per case."""

    __tablename__ = "case_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now, index=True)
    """When it was last given or changed: the worker recounts the day of each case rated since its last run."""


class StatisticsDay(Base):
    """One Kyiv day of one service at one organisation: what was received and decided, and the ratings given.

    A case counts on the day it was submitted (received) and on the day it was decided (everything else, its
    rating included). `organisation_id` 0 stands for "no organisation".
    """

    __tablename__ = "statistics_day"
    __table_args__ = (UniqueConstraint("day", "organisation_id", "process_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(Integer, index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    received: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    decided_with_deadline: Mapped[int] = mapped_column(Integer, default=0)
    """Decided cases of a service that states a term (sla_days): the denominator of "within the deadline"."""
    decided_within_deadline: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)


class StatisticsOutcomeDay(Base):
    """How many cases of a day, service and organisation ended at each end event."""

    __tablename__ = "statistics_outcome_day"
    __table_args__ = (UniqueConstraint("day", "organisation_id", "process_id", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(Integer)
    process_id: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(200))
    outcome_name: Mapped[str] = mapped_column(String(500), default="")
    cases: Mapped[int] = mapped_column(Integer, default=0)


class StatisticsDurationDay(Base):
    """A histogram: how many cases decided that day took exactly `working_days` working days from submission.

    Summed over any period, the histogram gives the exact median and 90th percentile of the period.
    """

    __tablename__ = "statistics_duration_day"
    __table_args__ = (UniqueConstraint("day", "organisation_id", "process_id", "working_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(Integer)
    process_id: Mapped[str] = mapped_column(String(200))
    working_days: Mapped[int] = mapped_column(Integer)
    cases: Mapped[int] = mapped_column(Integer, default=0)


# The worker counts a day's cases by when they were submitted and decided; these keep that off a full scan.
Index("ix_application_submitted_at", Application.submitted_at)
Index("ix_application_closed_at", Application.closed_at)
