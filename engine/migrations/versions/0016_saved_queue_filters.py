"""saved_queue_filters: officials' named queue filters

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_queue_filter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.UniqueConstraint("user_id", "name"),
    )
    op.create_index("ix_saved_queue_filter_user_id", "saved_queue_filter", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_saved_queue_filter_user_id", table_name="saved_queue_filter")
    op.drop_table("saved_queue_filter")
