"""Signing in with a password, throttled per account: after MAX_FAILURES wrong passwords within WINDOW the
account refuses every password (even the right one) until LOCK has passed.

The count lives in the database, in a short transaction of its own, so it holds across hosts and survives the
request's own rollback (a failed sign-in answers 4xx, which rolls the request back).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.models import SignInThrottle, User
from engine.services.admin import accounts
from engine.services.context import Platform
from engine.store import audit, directory

MAX_FAILURES: Final = 5
WINDOW: Final = timedelta(minutes=15)
LOCK: Final = timedelta(minutes=15)


class TooManyAttemptsError(Exception):
    """Too many wrong passwords for this account lately; `minutes` until it may be tried again."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {minutes} minutes")
        self.minutes = minutes


class EmailUnverifiedError(Exception):
    """The right password of a self-registered account whose address is not verified yet (told only then, so the
    refusal says nothing to someone who does not know the password); `email` is where to resend the link."""

    def __init__(self, email: str) -> None:
        super().__init__("the e-mail address is not verified yet")
        self.email = email


def verify_password(platform: Platform, username: str, password: str) -> int | None:
    """The id of the account these credentials open, or None; raises TooManyAttemptsError while locked and
    EmailUnverifiedError for an account that awaits its e-mail verification.

    Call it before the request touches its own session: it takes the database's writer lock briefly.
    """
    try:
        with unit_of_work(platform.write_sessions) as db:
            outcome = _attempt(db, f"user:{username.strip().casefold()}", username, password, platform.clock.now())
    except IntegrityError:
        return None  # two failures of a new key at once: one is counted, both are refused
    if isinstance(outcome, Exception):
        raise outcome  # raised once the refusal's audit event has been committed
    return outcome


def _attempt(db: Session, key: str, username: str, password: str, now: datetime) -> int | Exception | None:
    throttle = directory.throttle_for_update(db, key)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        _record_failure(db, username, "locked")
        return TooManyAttemptsError(max(1, -(-int((throttle.locked_until - now).total_seconds()) // 60)))
    user = accounts.authenticate(db, username, password) if username.strip() and password else None
    if user is not None:
        if throttle is not None:
            directory.delete_throttle(db, key)
        if accounts.awaits_verification(user):
            audit.record(
                db,
                action="auth.sign_in_failed",
                actor_id=user.id,
                actor=user.username,
                details={"method": "password", "reason": "email_unverified"},
            )
            return EmailUnverifiedError(user.email)
        return user.id
    if throttle is None or now - throttle.first_failure_at > WINDOW:
        if throttle is not None:
            directory.delete_throttle(db, key)
            db.flush()
        throttle = SignInThrottle(key=key, failures=0, first_failure_at=now)
        directory.add_throttle(db, throttle)
    throttle.failures += 1
    _record_failure(db, username, "wrong_password")
    if throttle.failures >= MAX_FAILURES:
        throttle.locked_until = now + LOCK
        audit.record(
            db,
            action="auth.locked",
            actor_id=None,
            actor=username.strip()[:150],
            details={"failures": throttle.failures, "until": throttle.locked_until.isoformat()},
        )
    return None


def record_signed_in(db: Session, user: User, *, method: str) -> None:
    """Audit a completed sign-in (`method`: "password", "password+totp", "password+recovery_code")."""
    audit.record(db, action="auth.signed_in", actor_id=user.id, actor=user.username, details={"method": method})


def _record_failure(db: Session, username: str, reason: str) -> None:
    """The attempt is audited under the name typed, whether or not such an account exists (nothing is revealed)."""
    audit.record(
        db,
        action="auth.sign_in_failed",
        actor_id=None,
        actor=username.strip()[:150],
        details={"method": "password", "reason": reason},
    )
