"""ratings_and_statistics: citizens' ratings and the daily statistics

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("day", "organisation_id", "process_id")
"""Each table's unique key; it leads with the day, so its index also serves the reads by day range."""


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "case_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "application_id",
            sa.Integer(),
            sa.ForeignKey("application.id", name="fk_case_rating_application_id_application", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_rating"),
        sa.UniqueConstraint("application_id", name="uq_case_rating_application_id"),
    )
    op.create_index("ix_case_rating_updated_at", "case_rating", ["updated_at"])
    op.create_table(
        "statistics_day",
        *_key_columns(),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("decided_with_deadline", sa.Integer(), nullable=False),
        sa.Column("decided_within_deadline", sa.Integer(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statistics_day"),
        sa.UniqueConstraint(*KEY, name="uq_statistics_day_day"),
    )
    op.create_index("ix_statistics_day_organisation_id", "statistics_day", ["organisation_id"])
    op.create_table(
        "statistics_outcome_day",
        *_key_columns(),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("outcome_name", sa.String(length=500), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statistics_outcome_day"),
        sa.UniqueConstraint(*KEY, "outcome", name="uq_statistics_outcome_day_day"),
    )
    op.create_table(
        "statistics_duration_day",
        *_key_columns(),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statistics_duration_day"),
        sa.UniqueConstraint(*KEY, "working_days", name="uq_statistics_duration_day_day"),
    )
    # The worker counts a day's cases by when they were submitted and decided: without these, a full scan.
    op.create_index("ix_application_submitted_at", "application", ["submitted_at"])
    op.create_index("ix_application_closed_at", "application", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_application_closed_at", table_name="application")
    op.drop_index("ix_application_submitted_at", table_name="application")
    op.drop_table("statistics_duration_day")
    op.drop_table("statistics_outcome_day")
    op.drop_table("statistics_day")
    op.drop_table("case_rating")
