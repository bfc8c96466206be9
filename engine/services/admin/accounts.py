"""Local accounts (argon2 password hashes) and API bearer tokens (only their digest is stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import ApiToken, Role, User
from engine.services.cache import PlatformCaches
from engine.services.context import Actor
from engine.store import audit, directory, organisation_tree

_HASHER = PasswordHasher()
# Verifying against this keeps the time of a failed login the same whether or not the user exists.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$nZr8SRJLOvxclZDnpCs9ug$VdzwrfKLccqAqSUKrvXCeIia+8PcccDfqTa2cOsIhLk"
"""A hash made once with `_HASHER`'s parameters (hashing it at import cost every start a third of a second)."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def authenticate(db: Session, username: str, password: str) -> User | None:
    user = directory.find_user(db, username.strip())
    if user is None and "@" in username:  # self-registered usernames are the e-mail address in lower case
        user = directory.find_user(db, username.strip().lower())
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


def create_user(
    db: Session,
    *,
    username: str,
    password: str,
    role: Role = Role.CITIZEN,
    full_name: str = "",
    email: str = "",
    group_slugs: tuple[str, ...] = (),
    is_demo: bool = False,
    password_hash: str | None = None,
) -> User:
    """`password_hash` lets a caller that creates many accounts with one password hash it once."""
    user = User(
        username=username,
        password_hash=password_hash or hash_password(password),
        role=role.value,
        full_name=full_name,
        email=email,
        is_demo=is_demo,
        security_stamp=new_security_stamp(),
    )
    directory.add(db, user)
    for slug in group_slugs:
        group = directory.find_group(db, slug)
        if group is None:
            raise ValueError(f"unknown group {slug!r}")
        user.groups.append(group)
    db.flush()
    return user


def load_actor(db: Session, user_id: int, caches: PlatformCaches | None = None) -> Actor | None:
    """The active person with this id, as an Actor (remembered briefly by `caches`, see engine.services.cache)."""
    if caches is not None and (known := caches.actor(db, user_id)) is not None:
        return known
    user = directory.get_user(db, user_id)
    actor = actor_of(db, user) if user is not None and user.active else None
    if actor is not None and caches is not None:
        caches.remember_actor(db, actor)
    return actor


def actor_of(db: Session, user: User) -> Actor:
    """The person as an actor, with the organisations below those of their groups that see child organisations."""
    overseeing = [g.organisation_id for g in user.groups if g.sees_child_organisations]
    overseen = organisation_tree.descendant_ids(db, overseeing) if overseeing else set()
    return Actor.of(user, overseen=frozenset(overseen))


def issue_token(db: Session, user: User, *, lifetime_hours: int) -> str:
    token = secrets.token_urlsafe(32)
    now = session_now(db)
    directory.delete_expired_tokens(db, now)
    directory.add(
        db,
        ApiToken(
            digest=_digest(token), user_id=user.id, created_at=now, expires_at=now + timedelta(hours=lifetime_hours)
        ),
    )
    audit.record(db, action="auth.token_issued", actor_id=user.id, actor=user.username)
    return token


def actor_for_token(db: Session, token: str, caches: PlatformCaches | None = None) -> Actor | None:
    digest, now = _digest(token), session_now(db)
    if caches is not None and (user_id := caches.token_user(db, digest, now)) is not None:
        return load_actor(db, user_id, caches)
    found = directory.find_token(db, digest, now)
    if found is None or not found.user.active:
        return None
    actor = actor_of(db, found.user)
    if caches is not None:
        caches.remember_token(db, digest, found.user_id, found.expires_at)
        caches.remember_actor(db, actor)
    return actor


def awaits_verification(user: User) -> bool:
    """A self-registered account whose address has not been verified yet: it may not sign in."""
    return user.email_verification_required and user.email_verified_at is None


def new_security_stamp() -> str:
    return secrets.token_hex(16)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_user(db: Session, user_id: int) -> User | None:
    """An active account by id (after `sign_in.verify_password`)."""
    user = directory.get_user(db, user_id)
    return user if user is not None and user.active else None
