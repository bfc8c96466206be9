"""case_comments: officials' internal notes and messages to the citizen on a case

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "application_id", sa.Integer(), sa.ForeignKey("application.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=True),
        sa.Column("author", sa.String(300), nullable=False),
        sa.Column("to_citizen", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_id", sa.String(36), sa.ForeignKey("attachment.id"), nullable=True),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_comment_application_id", "case_comment", ["application_id"])


def downgrade() -> None:
    op.drop_index("ix_case_comment_application_id", table_name="case_comment")
    op.drop_table("case_comment")
