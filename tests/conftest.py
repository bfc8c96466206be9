"""Shared fixtures: a migrated database with the demo directory and the demo services deployed.

SQLite by default (a fresh file per test); set TEST_DATABASE_URL to run the same tests on PostgreSQL,
where each test gets its own schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.config import PROJECT_ROOT, Settings
from engine.db import normalise_url, unit_of_work
from engine.migrate import upgrade_database
from engine.services.admin.directory import load_demo_users, load_organisations
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Platform

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{normalise_url(base)}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if request.node.get_closest_marker("postgres") is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(PG_URL, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings.from_env(
        database_url=database_url,
        secret_key="test-secret",
        var_dir=tmp_path,
        upload_dir=tmp_path / "uploads",
        processes_dir=PROJECT_ROOT / "processes",
        forms_dir=PROJECT_ROOT / "forms",
        max_upload_bytes=200_000,
    )


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    """Migrated, with demo organisations, demo users (password `demo`) and the demo services."""
    upgrade_database(settings.database_url)
    platform = Platform.from_settings(settings)
    with unit_of_work(platform.write_sessions) as db:
        load_organisations(db)
        load_demo_users(db)
        report = deploy_directory(db, processes_dir=settings.processes_dir, forms_dir=settings.forms_dir, actor=SYSTEM)
        assert not report.rejected, report.lines()
    yield platform
    platform.engine.dispose()
