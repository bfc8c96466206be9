"""Shared fixtures: each test's own database, a copy of one migrated database with the demo directory and services.

The database is built once per session (per xdist worker) and copied for every test that uses `platform`: SQLite
copies the file, PostgreSQL creates a database from a template database. Tests under tests/integration/ run on both
backends (test ids end in ``[sqlite]`` or ``[postgresql]``); tests marked ``postgres`` run on PostgreSQL only. The
PostgreSQL ones need TEST_DATABASE_URL.

What a test needs from the machine (the iGov corpus beside the repository, WeasyPrint's system libraries,
Chromium, PostgreSQL, Redis) is declared with ``@pytest.mark.needs(...)`` or `require(...)`: the test skips with
the reason when it is missing, and fails with the same reason when POSLUHY_TESTS_STRICT=1 (as .ci/run sets it).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, create_engine, make_url, pool, text

from engine.config import PROJECT_ROOT, Settings
from engine.db import make_engine, make_session_factory, normalise_url, unit_of_work
from engine.migrate import upgrade_database
from engine.services.admin.directory import load_demo_users, load_organisations
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Platform

STRICT_VARIABLE = "POSLUHY_TESTS_STRICT"
STRICT = os.environ.get(STRICT_VARIABLE, "") not in ("", "0")
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
IGOV_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "igov"
CHROMIUM = Path("/usr/bin/chromium")
#: The Redis the throttles' tests count in (each test under its own key prefix); .ci/run starts it when needed.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
BACKENDS = ("sqlite", "postgresql")
#: One prefix per session, so parallel runs (other workers, other checkouts) sharing the server never collide.
PG_PREFIX = f"posluhy_{uuid.uuid4().hex[:8]}"


# --- What a test needs from the machine ------------------------------------------------------------------------


def _igov_corpus() -> str | None:
    if any(IGOV_CORPUS.glob("*.bpmn")):
        return None
    return f"the iGov corpus is not at {IGOV_CORPUS} (a checkout of shared/ beside the repository)"


def _weasyprint() -> str | None:
    try:
        importlib.import_module("weasyprint")
    except (OSError, ImportError) as exc:  # OSError: cffi could not load Pango or HarfBuzz-Subset
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"WeasyPrint cannot load its system libraries (Debian: libpango-1.0-0 libharfbuzz-subset0): {first_line}"
    return None


def _chromium() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (Debian's chromium package)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    return None


def _postgresql() -> str | None:
    return None if PG_URL else "TEST_DATABASE_URL is not set (PostgreSQL tests)"


def _redis() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis does not answer at {REDIS_URL} (the throttles' shared storage; redis-server): {exc}"
    return None


NEEDS: dict[str, Callable[[], str | None]] = {
    "igov_corpus": _igov_corpus,
    "weasyprint": _weasyprint,
    "chromium": _chromium,
    "postgresql": _postgresql,
    "redis": _redis,
}


@functools.cache
def missing(need: str) -> str | None:
    """Why the machine lacks `need` (a key of NEEDS), or None when it has it."""
    if need not in NEEDS:
        raise pytest.UsageError(f"unknown need {need!r}; known: {', '.join(NEEDS)}")
    return NEEDS[need]()


def require(*needs: str) -> None:
    """Skip the running test when the machine lacks one of `needs`; under POSLUHY_TESTS_STRICT=1, fail instead."""
    for need in needs:
        reason = missing(need)
        if reason is None:
            continue
        if STRICT:
            pytest.fail(f"{reason} — required when {STRICT_VARIABLE}=1", pytrace=False)
        pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # tryfirst, and a conftest registers after pytest's skipping plugin: this runs before `skipif` marks and empty
    # parameter sets are turned into skips, so strict mode fails even a test parametrised over a missing corpus.
    # Skips raised here are reported at this line, so the summary shows each missing need once, with a count.
    for mark in item.iter_markers("needs"):
        require(*mark.args)
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("db_backend") == "postgresql":
        require("postgresql")


def pytest_report_header(config: pytest.Config) -> list[str]:
    backends = "sqlite, postgresql (TEST_DATABASE_URL)" if PG_URL else "sqlite (set TEST_DATABASE_URL for postgresql)"
    strict = "on: a missing need fails" if STRICT else f"off: a missing need skips ({STRICT_VARIABLE}=1 to fail)"
    return [f"posluhy: database backends {backends}; strict {strict}"]


# --- Database backends -----------------------------------------------------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Integration tests run on both backends, `postgres` tests on PostgreSQL only, the others on SQLite."""
    if "db_backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("postgres") is not None:
        metafunc.parametrize("db_backend", ["postgresql"], indirect=True)
    elif (PROJECT_ROOT / "tests" / "integration") in metafunc.definition.path.parents:
        metafunc.parametrize("db_backend", list(BACKENDS), indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgresql": which database this test runs on (see pytest_generate_tests)."""
    backend: str = getattr(request, "param", "sqlite")
    return backend


def _build_platform_database(url: str) -> None:
    """Migrate, load the demo organisations and users (password `demo`) and deploy the demo services."""
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine, write=True)) as db:
            load_organisations(db)
            load_demo_users(db)
            report = deploy_directory(
                db, processes_dir=PROJECT_ROOT / "processes", forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM
            )
            assert not report.rejected, report.lines()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's deployed SQLite database: one self-contained file (WAL checkpointed, journal mode DELETE)."""
    path = tmp_path_factory.mktemp("template") / "platform.db"
    _build_platform_database(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}", poolclass=pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")  # copies open in WAL mode again (engine.db)
    engine.dispose()
    assert not path.with_name(path.name + "-wal").exists()
    return path


def _pg_url(database: str) -> str:
    """A test database's URL. Its sessions commit without waiting for the WAL flush (synchronous_commit=off):
    locking and isolation are unchanged, only durability after a server crash, which no test needs, is given up."""
    url = make_url(normalise_url(PG_URL)).set(database=database)
    url = url.update_query_dict({"options": "-c synchronous_commit=off"})
    return url.render_as_string(hide_password=False)


class PostgresDatabases:
    """Creates each test's database (CREATE DATABASE, optionally from a template) and drops it after the test.

    A test's database is dropped before the next one is made: PostgreSQL 15 makes DROP DATABASE wait for a
    checkpoint, which is quick only while few databases have unflushed pages (dropping them later in a batch, or
    from background threads, made every checkpoint flush all the waiting copies: measured several times slower).
    """

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self._names = itertools.count(1)
        self._worker = os.environ.get("PYTEST_XDIST_WORKER", "main")

    def create(self, *, template: str | None = None) -> str:
        name = f"{PG_PREFIX}_{self._worker}_{next(self._names)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:  # FORCE: a connection a test left open (a thread, a CLI call) must not leak
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PostgresDatabases]:
    """Creates and drops the tests' databases through TEST_DATABASE_URL's own database."""
    require("postgresql")
    admin = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    yield PostgresDatabases(admin)
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(pg_databases: PostgresDatabases) -> Iterator[str]:
    """The session's deployed PostgreSQL database, copied with CREATE DATABASE … TEMPLATE (nothing stays connected)."""
    name = pg_databases.create()
    try:
        _build_platform_database(_pg_url(name))
        yield name
    finally:
        pg_databases.drop(name)


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """This test's own database: a copy of the deployed one when the test uses `platform`, otherwise empty."""
    deployed = "platform" in request.fixturenames
    if db_backend == "sqlite":
        path = tmp_path / "test.db"
        if deployed:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    require("postgresql")
    databases: PostgresDatabases = request.getfixturevalue("pg_databases")
    name = databases.create(template=request.getfixturevalue("postgres_template") if deployed else None)
    try:
        yield _pg_url(name)
    finally:
        databases.drop(name)


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
def platform(settings: Settings, database_url: str) -> Iterator[Platform]:
    """Migrated, with demo organisations, demo users (password `demo`) and the demo services (a copy per test).

    Deploying more diagrams or changing the directory changes only this test's copy.
    """
    platform = Platform.from_settings(settings)
    yield platform
    platform.engine.dispose()
