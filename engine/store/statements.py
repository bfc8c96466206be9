"""Statements the step path runs on every step, built once per dialect and run on the session's connection.

Building a statement and its cache key costs more than running it on SQLite; these are built once and reused,
and run as plain Core (no ORM bulk processing), inside the session's transaction.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models.base import Base


def run(db: Session, statement: Any, parameters: dict[str, Any] | list[dict[str, Any]] | None = None) -> Any:
    """Execute on the session's connection (its transaction); no autoflush, no ORM processing."""
    return db.connection().execute(statement, parameters)


def insert_or_ignore(db: Session, model: type[Base], conflict_column: str, *, returning: str | None = None) -> Insert:
    """INSERT … ON CONFLICT (column) DO NOTHING [RETURNING column], for the session's dialect."""
    return _insert_or_ignore(db.get_bind().dialect.name, model, conflict_column, returning)


@cache
def _insert_or_ignore(dialect: str, model: type[Base], conflict_column: str, returning: str | None) -> Insert:
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Insert = make(model).on_conflict_do_nothing(index_elements=[conflict_column])
    return statement if returning is None else statement.returning(getattr(model, returning))


@cache
def plain_insert(model: type[Base]) -> Insert:
    return insert(model)
