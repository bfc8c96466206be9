"""operator_console: a case can be suspended (when, and the status it had), so that resuming restores it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application") as batch_op:
        batch_op.add_column(sa.Column("suspended_at", engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("suspended_from", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_column("suspended_from")
        batch_op.drop_column("suspended_at")
