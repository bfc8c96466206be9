"""catalog search in SQL: a normalised search text per service version

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 10:00:00

`service_version.search_text` is what the catalog matches typed words against (titles in both languages and the
category, normalised as engine.models.catalog.normalise_search does); existing rows are filled here.

On SQLite the table is copied anyway to add a column, so the copy also puts the narrow catalog columns first and
the large texts (diagram, manifest, descriptions) last: SQLite reads a row's columns in order, and a listing that
only needs titles then never walks the overflow pages of the diagram. PostgreSQL keeps large texts out of line
(TOAST) and only gets the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.models.catalog import normalise_search

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMN_ORDER = (
    "id",
    "service_id",
    "number",
    "status",
    "content_digest",
    "availability",
    "category",
    "organisation_slug",
    "sla_days",
    "title",
    "title_en",
    "search_text",
    "spec_digest",
    "deployed_at",
    "deployed_by",
    "created_by",
    "published_at",
    "published_by",
    "description_html",
    "description_en_html",
    "problems_json",
    "manifest_json",
    "bpmn_xml",
)


def _search_column() -> sa.Column[str]:
    return sa.Column("search_text", sa.Text(), nullable=False, server_default="")


def _fill_search_text() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, title, title_en, category FROM service_version")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE service_version SET search_text = :text WHERE id = :id"),
            [{"id": r.id, "text": normalise_search(f"{r.title} {r.title_en} {r.category}")} for r in rows],
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "service_version", recreate="always", partial_reordering=[COLUMN_ORDER]
        ) as batch_op:
            batch_op.add_column(_search_column())
    else:
        op.add_column("service_version", _search_column())
    _fill_search_text()


def downgrade() -> None:
    with op.batch_alter_table("service_version", schema=None) as batch_op:
        batch_op.drop_column("search_text")
