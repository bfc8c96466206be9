"""Upgrading a database that already holds services and applications keeps every row (SQLite batch copies)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from engine.db import normalise_url
from engine.migrate import alembic_config, check_database, upgrade_database
from engine.models import Base

NOW = "2026-11-01 10:00:00.000000"
ROWS = [
    "INSERT INTO organisation (id, slug, name, name_en, region) VALUES (1, 'lubny-council', 'Лубни', '', '')",
    "INSERT INTO account (id, username, password_hash, full_name, email, role, locale, active, is_demo, created_at)"
    f" VALUES (1, 'citizen', 'x', '', '', 'citizen', 'uk', 1, 0, '{NOW}')",
    f"INSERT INTO process_spec (digest, spec_json, created_at) VALUES ('d1', '{{}}', '{NOW}')",
    "INSERT INTO service (id, process_id, source_path, current_version_id) VALUES (1, 'svc', 'svc.bpmn', 1)",
    "INSERT INTO service_version (id, service_id, number, content_digest, bpmn_xml, manifest_json, spec_digest,"
    " title, title_en, description_html, description_en_html, category, organisation_slug, sla_days, availability,"
    f" deployed_at, deployed_by) VALUES (1, 1, 1, 'c1', '<x/>', '{{}}', 'd1', 'Послуга', '', '', '', '', "
    f"'lubny-council', 5, 'online', '{NOW}', 'system')",
    "INSERT INTO application (id, reference, service_version_id, applicant_id, organisation_id, status, state_json,"
    " data_json, created_at, updated_at, version) VALUES (1, '12345-67890', 1, 1, 1, 'active', '{}', '{}',"
    f" '{NOW}', '{NOW}', 1)",
]


def test_upgrade_from_the_first_schema_keeps_services_and_applications(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        for row in ROWS:
            conn.execute(text(row))

    upgrade_database(url)
    check_database(url)

    with engine.connect() as conn:
        version = conn.execute(text("SELECT status, published_by FROM service_version WHERE id = 1")).one()
        application = conn.execute(text("SELECT reference, service_version_id FROM application")).one()
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    engine.dispose()
    assert version.status == "published"
    assert tuple(application) == ("12345-67890", 1)


def test_the_migrated_schema_is_what_the_models_describe(database_url: str) -> None:
    """Every model change has its migration (alembic's own comparison finds no difference)."""
    upgrade_database(database_url)
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
