"""Accounts found by e-mail address or by username whatever its case, and the API tokens of one account."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.models import ApiToken, User

MAX_SAME_ADDRESS = 10
"""Staff and citizens may share an address (accounts are never merged by e-mail); more than this is not looked at."""


def users_with_email(db: Session, address: str) -> Sequence[User]:
    """Accounts whose e-mail address or username is `address`, ignoring case (ASCII case on SQLite)."""
    folded = address.strip().lower()
    return (
        db.scalars(
            select(User)
            .where((func.lower(User.email) == folded) | (func.lower(User.username) == folded))
            .order_by(User.id)
            .limit(MAX_SAME_ADDRESS)
            .options(selectinload(User.groups))
        )
        .unique()
        .all()
    )


def find_by_username(db: Session, username: str) -> User | None:
    """The account of this username as typed, else the one that differs only in case."""
    exact = db.scalar(select(User).where(User.username == username))
    if exact is not None:
        return exact
    return db.scalar(select(User).where(func.lower(User.username) == username.lower()).order_by(User.id).limit(1))


def delete_tokens_of(db: Session, user_id: int) -> int:
    """Delete every API token of the account, through the session so every host's cache of tokens hears of it."""
    tokens = db.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all()
    for token in tokens:
        db.delete(token)
    db.flush()
    return len(tokens)
