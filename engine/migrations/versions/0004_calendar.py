"""working calendar, platform settings, escalation rules, application.next_timer_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("updated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_day")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_day_day")),
    )
    op.create_table(
        "platform_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("updated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_platform_setting")),
    )
    op.create_table(
        "escalation_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("element_id", sa.String(length=200), nullable=True),
        sa.Column("condition", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("notify_supervisors", sa.Boolean(), nullable=False),
        sa.Column("reassign_group", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_escalation_rule_service_id_service"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_rule")),
    )
    op.create_table(
        "escalation_firing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("fired_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("reassigned_to", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_escalation_firing_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["escalation_rule.id"], name=op.f("fk_escalation_firing_rule_id_escalation_rule"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["human_task.id"], name=op.f("fk_escalation_firing_task_id_human_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_firing")),
        sa.UniqueConstraint("rule_id", "task_id", name=op.f("uq_escalation_firing_rule_id")),
    )
    with op.batch_alter_table("escalation_firing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_firing_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalation_firing_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalation_firing_task_id"), ["task_id"], unique=False)
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_timer_at", engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_next_timer_at"), ["next_timer_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_next_timer_at"))
        batch_op.drop_column("next_timer_at")
    with op.batch_alter_table("escalation_firing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_firing_task_id"))
        batch_op.drop_index(batch_op.f("ix_escalation_firing_rule_id"))
        batch_op.drop_index(batch_op.f("ix_escalation_firing_application_id"))
    op.drop_table("escalation_firing")
    op.drop_table("escalation_rule")
    op.drop_table("platform_setting")
    op.drop_table("calendar_day")
