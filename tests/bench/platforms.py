"""The platform as the tests build it (tests/conftest.py): migrate, demo organisations and users, deploy the
services; plus a SQL statement counter on its engine and throw-away PostgreSQL databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, event, make_url, text

from engine.config import Settings
from engine.db import normalise_url, unit_of_work
from engine.migrate import upgrade_database
from engine.paths import PROJECT_ROOT
from engine.services.admin.directory import load_demo_users, load_organisations
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Platform
from webapp import create_app

SECRET = "bench-secret"


class BenchError(Exception):
    """The platform answered something a journey did not expect: the bench stops and says what."""


@dataclass
class SqlCounter:
    """Counts every statement sent to the database (SQLAlchemy `before_cursor_execute`), BEGIN included."""

    statements: list[str] = field(default_factory=list)

    def attach(self, engine: Any) -> None:
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)

    def kinds(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for statement in self.statements:
            word = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
            found[word] = found.get(word, 0) + 1
        return found


@dataclass
class BenchPlatform:
    """A migrated platform with its Flask app and a statement counter on its database engine."""

    settings: Settings
    platform: Platform
    app: Flask
    sql: SqlCounter

    @property
    def database_url(self) -> str:
        return self.settings.database_url

    def close(self) -> None:
        self.platform.engine.dispose()


def bench_settings(root: Path, database_url: str, *, processes_dir: Path, forms_dir: Path) -> Settings:
    return Settings.from_env(
        database_url=database_url,
        secret_key=SECRET,
        var_dir=root,
        upload_dir=root / "uploads",
        processes_dir=processes_dir,
        forms_dir=forms_dir,
    )


def build_platform(
    root: Path,
    database_url: str,
    *,
    processes_dir: Path = PROJECT_ROOT / "processes",
    forms_dir: Path = PROJECT_ROOT / "forms",
) -> BenchPlatform:
    """Migrate, load the demo organisations and users, deploy every diagram under `processes_dir`."""
    root.mkdir(parents=True, exist_ok=True)
    settings = bench_settings(root, database_url, processes_dir=processes_dir, forms_dir=forms_dir)
    upgrade_database(settings.database_url)
    platform = Platform.from_settings(settings)
    with unit_of_work(platform.write_sessions) as db:
        load_organisations(db)
        load_demo_users(db)
        report = deploy_directory(db, processes_dir=processes_dir, forms_dir=forms_dir, actor=SYSTEM)
    if report.rejected:
        raise BenchError("deploy rejected: " + "; ".join(report.lines()))
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True  # an unexpected exception stops the bench instead of becoming a 500 page
    counter = SqlCounter()
    counter.attach(platform.engine)
    return BenchPlatform(settings, platform, app, counter)


def sqlite_url(root: Path, name: str) -> str:
    return f"sqlite:///{root / name}"


def postgres_base_url() -> str:
    """BENCH_DATABASE_URL, else TEST_DATABASE_URL, else "" (the PostgreSQL figures are skipped)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or ""


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A new database on the server of `base_url`, dropped afterwards; yields its URL."""
    name = f"posluhy_bench_{uuid.uuid4().hex[:10]}"
    url = make_url(normalise_url(base_url))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_version(base_url: str) -> str:
    admin = create_engine(make_url(normalise_url(base_url)))
    try:
        with admin.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        admin.dispose()
