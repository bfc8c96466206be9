"""Integrations: the calling systems allowed to deliver messages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Integration


def add(db: Session, integration: Integration) -> None:
    db.add(integration)
    db.flush()


def find_by_name(db: Session, name: str) -> Integration | None:
    return db.scalar(select(Integration).where(Integration.name == name))


def find_by_digest(db: Session, digest: str) -> Integration | None:
    return db.scalar(select(Integration).where(Integration.token_digest == digest))
