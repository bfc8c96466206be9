"""audit_chain: the audit trail as a hash chain; events outlive their case

Existing events are chained in id order (their ids, gaps included, are kept). `application_id` loses its foreign
key: deleting a case keeps its events unchanged (SET NULL would change what was hashed).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.models.base
from engine.store.audit_chain import HASHED_FIELDS, event_hash

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
CHUNK = 2000

_events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", engine.models.base.UTCDateTime(timezone=True)),
    sa.column("actor_id", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("application_id", sa.Integer()),
    sa.column("task_id", sa.String()),
    sa.column("element_id", sa.String()),
    sa.column("details_json", sa.Text()),
    sa.column("previous_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _chain_existing(connection: sa.Connection) -> tuple[int, str]:
    """Hash every existing event in id order; returns the last id and hash (0 and the genesis hash if none)."""
    last_id, last_hash = 0, GENESIS_HASH
    columns = [_events.c[name] for name in HASHED_FIELDS if name != "previous_hash"]
    while True:
        rows = connection.execute(
            sa.select(*columns).where(_events.c.id > last_id).order_by(_events.c.id).limit(CHUNK)
        ).all()
        if not rows:
            return last_id, last_hash
        updates = []
        for row in rows:
            values = {**row._mapping, "previous_hash": last_hash}
            last_id, last_hash = row.id, event_hash(values)
            updates.append({"event_id": row.id, "previous_hash": values["previous_hash"], "hash": last_hash})
        connection.execute(
            _events.update()
            .where(_events.c.id == sa.bindparam("event_id"))
            .values(previous_hash=sa.bindparam("previous_hash"), hash=sa.bindparam("hash")),
            updates,
        )


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audit_event_application_id_application"), type_="foreignkey")
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    last_id, last_hash = _chain_existing(op.get_bind())
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    op.bulk_insert(
        sa.table("audit_chain_head", sa.column("id"), sa.column("last_id"), sa.column("last_hash")),
        [{"id": 1, "last_id": last_id, "last_hash": last_hash}],
    )


def downgrade() -> None:
    connection = op.get_bind()
    # Events of deleted cases lose their case (the foreign key comes back); ids come from the sequence again.
    connection.execute(
        sa.text(
            "UPDATE audit_event SET application_id = NULL WHERE application_id IS NOT NULL"
            " AND application_id NOT IN (SELECT id FROM application)"
        )
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("previous_hash")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_event_application_id_application"),
            "application",
            ["application_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.drop_table("audit_chain_head")
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('audit_event', 'id'),"
                " COALESCE((SELECT max(id) FROM audit_event), 0) + 1, false)"
            )
        )
