"""analyst studio: version status, form documents, test runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _add_missing_current_version_fk() -> None:
    """0001 declared service.current_version_id's foreign key with use_alter, which create_table skips on
    PostgreSQL; add it where it is missing (SQLite has it inline)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    names = {fk.get("name") for fk in sa.inspect(bind).get_foreign_keys("service")}
    if "fk_service_current_version" not in names:
        op.create_foreign_key(
            "fk_service_current_version", "service", "service_version", ["current_version_id"], ["id"]
        )


def upgrade() -> None:
    _add_missing_current_version_fk()
    with op.batch_alter_table("service_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="published"))
        batch_op.add_column(sa.Column("created_by", sa.String(length=150), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("published_at", engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by", sa.String(length=150), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("problems_json", sa.Text(), nullable=False, server_default="[]"))
        batch_op.alter_column("spec_digest", existing_type=sa.String(length=64), nullable=True)
    # Existing versions were deployed from files: published when and by whom they were deployed.
    op.execute(
        "UPDATE service_version SET published_at = deployed_at, published_by = deployed_by, created_by = deployed_by"
    )
    with op.batch_alter_table("service_version", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None, existing_type=sa.String(length=20))
        batch_op.alter_column("created_by", server_default=None, existing_type=sa.String(length=150))
        batch_op.alter_column("published_by", server_default=None, existing_type=sa.String(length=150))
        batch_op.alter_column("problems_json", server_default=None, existing_type=sa.Text())

    op.create_table(
        "form_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("json", sa.Text(), nullable=False),
        sa.Column("updated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_document")),
        sa.UniqueConstraint("key", name=op.f("uq_form_document_key")),
    )
    op.create_table(
        "test_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_version_id", sa.Integer(), nullable=False),
        sa.Column("analyst_id", sa.Integer(), nullable=True),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("history_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["analyst_id"], ["account.id"], name=op.f("fk_test_run_analyst_id_account")),
        sa.ForeignKeyConstraint(
            ["service_version_id"], ["service_version.id"], name=op.f("fk_test_run_service_version_id_service_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_run")),
    )
    with op.batch_alter_table("test_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_test_run_analyst_id"), ["analyst_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_test_run_service_version_id"), ["service_version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("test_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_test_run_service_version_id"))
        batch_op.drop_index(batch_op.f("ix_test_run_analyst_id"))
    op.drop_table("test_run")
    op.drop_table("form_document")
    op.execute("DELETE FROM service_version WHERE status = 'draft'")
    with op.batch_alter_table("service_version", schema=None) as batch_op:
        batch_op.alter_column("spec_digest", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("problems_json")
        batch_op.drop_column("published_by")
        batch_op.drop_column("published_at")
        batch_op.drop_column("created_by")
        batch_op.drop_column("status")
