"""people and organisations: the organisation tree and its particulars, external identities, second factors,
account security fields, optimistic versions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORGANISATION_TEXTS = ("edrpou", "address", "address_en", "phone", "email", "working_hours", "working_hours_en")
LENGTHS = {"edrpou": 10, "phone": 60, "email": 300}


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=LENGTHS.get(name, 500)), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="other"))
        for name in ORGANISATION_TEXTS:
            batch_op.add_column(_text(name))
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_foreign_key(
            op.f("fk_organisation_parent_id_organisation"), "organisation", ["parent_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_organisation_parent_id"), ["parent_id"])
    with op.batch_alter_table("user_group") as batch_op:
        batch_op.add_column(
            sa.Column("sees_child_organisations", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("tax_number", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("email_verified_at", engine.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("security_stamp", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("deactivated_at", engine.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "external_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("claims_json", sa.Text(), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["account.id"], name=op.f("fk_external_identity_user_id_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identity")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_external_identity_provider")),
    )
    op.create_index(op.f("ix_external_identity_user_id"), "external_identity", ["user_id"])
    op.create_table(
        "second_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recovery_codes_json", sa.Text(), nullable=False),
        sa.Column("last_used_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["account.id"], name=op.f("fk_second_factor_user_id_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_second_factor")),
    )
    revisions = sa.table("cache_revision", sa.column("name", sa.String), sa.column("revision", sa.Integer))
    op.bulk_insert(revisions, [{"name": "people", "revision": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM cache_revision WHERE name = 'people'")
    op.drop_table("second_factor")
    op.drop_index(op.f("ix_external_identity_user_id"), table_name="external_identity")
    op.drop_table("external_identity")
    with op.batch_alter_table("account") as batch_op:
        for name in ("version", "deactivated_at", "security_stamp", "email_verified_at", "tax_number", "phone"):
            batch_op.drop_column(name)
    with op.batch_alter_table("user_group") as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("sees_child_organisations")
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_index(op.f("ix_organisation_parent_id"))
        batch_op.drop_constraint(op.f("fk_organisation_parent_id_organisation"), type_="foreignkey")
        for name in ("version", "active", *reversed(ORGANISATION_TEXTS), "kind", "parent_id"):
            batch_op.drop_column(name)
