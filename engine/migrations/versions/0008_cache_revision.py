"""cache revisions: counters every host compares before trusting its cached directory and calendar

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMES = ("directory", "calendar")


def upgrade() -> None:
    table = op.create_table(
        "cache_revision",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_revision")),
    )
    op.bulk_insert(table, [{"name": name, "revision": 0} for name in NAMES])


def downgrade() -> None:
    op.drop_table("cache_revision")
