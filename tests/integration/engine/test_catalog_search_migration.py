"""Migration 0007 fills the search text of versions already deployed, so an upgraded catalog is searchable at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from engine.db import make_session_factory, normalise_url, unit_of_work
from engine.migrate import alembic_config, check_database, upgrade_database
from engine.services.catalog.listing import CatalogFilters, list_services, normalise_search
from tests.fixtures.catalog.catalogs import catalog_database

NOW = "2026-11-01 10:00:00+00"
ROWS = [
    "INSERT INTO organisation (id, slug, name, name_en, region) VALUES (1, 'lubny-council', 'Лубни', '', '')",
    "INSERT INTO account (id, username, password_hash, full_name, email, role, locale, active, is_demo, created_at)"
    f" VALUES (1, 'citizen', 'x', '', '', 'citizen', 'uk', true, false, '{NOW}')",
    f"INSERT INTO process_spec (digest, spec_json, created_at) VALUES ('d1', '{{}}', '{NOW}')",
    "INSERT INTO service (id, process_id, source_path, current_version_id) VALUES (1, 'family', 'f.bpmn', NULL)",
    "INSERT INTO service_version (id, service_id, number, content_digest, bpmn_xml, manifest_json, spec_digest,"
    " title, title_en, description_html, description_en_html, category, organisation_slug, sla_days, availability,"
    " deployed_at, deployed_by, status, created_by, published_at, published_by, problems_json)"
    " VALUES (1, 1, 1, 'c1', '<x/>', '{}', 'd1', 'Довідка про склад сім''ї', 'Household certificate', '<p>Опис</p>',"
    f" '', 'Довідки', 'lubny-council', 5, 'online', '{NOW}', 'system', 'published', 'system', '{NOW}', 'system', '[]')",
    "UPDATE service SET current_version_id = 1",
    "INSERT INTO application (id, reference, service_version_id, applicant_id, organisation_id, status, state_json,"
    f" data_json, created_at, updated_at, version) VALUES (1, '12345-67890', 1, 1, 1, 'active', '{{}}', '{{}}',"
    f" '{NOW}', '{NOW}', 1)",
]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrade_fills_the_search_text_of_existing_versions(tmp_path: Path, kind: str) -> None:
    with catalog_database(kind, tmp_path) as url:
        command.upgrade(alembic_config(url), "0006")
        engine = create_engine(normalise_url(url))
        with engine.begin() as conn:
            for row in ROWS:
                conn.execute(text(row))
        engine.dispose()

        upgrade_database(url)
        check_database(url)

        engine = create_engine(normalise_url(url))
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT search_text FROM service_version WHERE id = 1")).scalar_one()
            application = conn.execute(text("SELECT service_version_id FROM application")).scalar_one()
            if kind == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
                columns = [r[1] for r in conn.execute(text("PRAGMA table_info(service_version)"))]
                assert columns.index("title") < columns.index("description_html") < columns.index("bpmn_xml")
        with unit_of_work(make_session_factory(engine)) as db:
            found = [s.id for s in list_services(db, CatalogFilters(query="СІМʼЇ household"))]
        engine.dispose()

    assert stored == normalise_search("Довідка про склад сім'ї Household certificate Довідки")
    assert stored.startswith("довідка про склад сім'ї ")
    assert application == 1
    assert found == ["family"]
