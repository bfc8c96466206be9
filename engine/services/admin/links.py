"""Signed links sent by e-mail: verify an address, reset a password, accept an invitation to a staff account.

A link carries the account id and a fingerprint of what the link is meant to change (the password hash, the
verified address, the security stamp), signed with the platform's secret and dated by the platform's clock. It
expires after its purpose's lifetime, and it works once: using it changes what the fingerprint covers, so the
same link then reads as used. Nothing is stored per link, so every host accepts a link another host sent.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum
from typing import Any, Final

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.signer import Signer
from itsdangerous.timed import TimestampSigner
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.models import User
from engine.store import directory


class LinkPurpose(StrEnum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 - the name of a purpose, not a password
    INVITATION = "invitation"


LIFETIMES: Final = {
    LinkPurpose.VERIFY_EMAIL: timedelta(days=2),
    LinkPurpose.RESET_PASSWORD: timedelta(hours=1),
    LinkPurpose.INVITATION: timedelta(days=7),
}


class LinkError(Exception):
    """The link cannot be used; the subclass says why, so the page can say so and offer a new one."""


class LinkExpiredError(LinkError):
    """The link was genuine but is older than its purpose's lifetime."""


class LinkUsedError(LinkError):
    """The link was genuine, but what it was for has been done (or the account changed since)."""


class LinkInvalidError(LinkError):
    """Not a link the platform made for this purpose (mistyped, cut, or forged)."""


def make_link_token(secret_key: str, clock: Clock, purpose: LinkPurpose, user: User) -> str:
    """The token to put in the link's address."""
    payload = {"u": user.id, "f": _fingerprint(purpose, user)}
    return _serializer(secret_key, clock, purpose).dumps(payload)


def read_link_token(db: Session, secret_key: str, clock: Clock, purpose: LinkPurpose, token: str) -> User:
    """The account the link is for; raises LinkExpiredError, LinkUsedError or LinkInvalidError."""
    serializer = _serializer(secret_key, clock, purpose)
    try:
        payload: Any = serializer.loads(token, max_age=int(LIFETIMES[purpose].total_seconds()))
    except SignatureExpired as exc:
        raise LinkExpiredError(purpose) from exc
    except BadSignature as exc:
        raise LinkInvalidError(purpose) from exc
    user = directory.get_user(db, int(payload.get("u", 0))) if isinstance(payload, dict) else None
    if user is None:
        raise LinkInvalidError(purpose)
    if payload.get("f") != _fingerprint(purpose, user):
        raise LinkUsedError(purpose)
    return user


def _fingerprint(purpose: LinkPurpose, user: User) -> str:
    covered = {
        LinkPurpose.VERIFY_EMAIL: f"{user.email}|{user.email_verified_at}",
        LinkPurpose.RESET_PASSWORD: f"{user.password_hash}|{user.security_stamp}",
        LinkPurpose.INVITATION: f"{user.password_hash}|{user.security_stamp}|{user.active}",
    }[purpose]
    return hashlib.sha256(f"{purpose}|{user.id}|{covered}".encode()).hexdigest()[:32]


def _serializer(secret_key: str, clock: Clock, purpose: LinkPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key, salt=f"posluhy.{purpose}", signer=_clocked_signer(clock), signer_kwargs={}
    )


def _clocked_signer(clock: Clock) -> type[Signer]:
    """itsdangerous dates tokens with time.time(); links are dated by the platform's clock instead."""

    class ClockedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return ClockedSigner
