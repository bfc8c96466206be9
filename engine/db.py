"""Database engine and sessions. SQLite runs in WAL mode under var/; DATABASE_URL selects PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import CLOCK_KEY, Clock, SystemClock


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITE_OPTION = "posluhy_write"


def _begin(conn: Any) -> None:
    """Writers take SQLite's write lock at BEGIN, so two writers queue instead of failing mid-transaction."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)

        # pysqlite's own transaction handling is turned off so BEGIN IMMEDIATE can be issued.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(
    engine: Engine, *, write: bool = False, clock: Clock | None = None, info: dict[str, Any] | None = None
) -> sessionmaker[Session]:
    """Sessions for reading, or (write=True) for a unit of work that will change data; `clock` is what
    repositories ask for "now" (`session_now`); `info` travels with every session (the platform's caches)."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, info={**(info or {}), CLOCK_KEY: clock or SystemClock()})


def session_now(db: Session) -> datetime:
    """Now, by the clock of the platform that opened the session (tests move it; nothing reads the wall clock)."""
    clock: Clock = db.info.get(CLOCK_KEY) or SystemClock()
    return clock.now()


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _hand_clock_to_connection(db: Session, _transaction: Any, connection: Any) -> None:
    """Column defaults (`engine.models.base.clock_now`) see the connection, not the session: give it the clock."""
    connection.info[CLOCK_KEY] = db.info.get(CLOCK_KEY) or SystemClock()


event.listen(Session, "after_begin", _hand_clock_to_connection)
