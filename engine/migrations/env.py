"""Alembic environment: the URL comes from the caller's config (see engine.migrate)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from engine.db import make_engine
from engine.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite batch migrations copy and drop tables, which foreign keys would forbid while rows exist.

    The pragma only works outside a transaction, so it goes straight to the driver connection.
    """
    raw: Any = connection.connection.dbapi_connection
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        _run(connection)
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            _sqlite_foreign_keys(connection, on=True)
            if problems:
                raise RuntimeError(f"migration left rows that break foreign keys: {problems[:5]}")
    engine.dispose()


run_migrations()
