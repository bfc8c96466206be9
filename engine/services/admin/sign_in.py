"""Signing in with a password, throttled per account: after MAX_FAILURES wrong passwords within WINDOW the
account refuses every password (even the right one) until LOCK has passed.

The count lives in the database, in a short transaction of its own, so it holds across hosts and survives the
request's own rollback (a failed sign-in answers 4xx, which rolls the request back).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from sqlalchemy.exc import IntegrityError

from engine.db import unit_of_work
from engine.models import SignInThrottle
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


def verify_password(platform: Platform, username: str, password: str) -> int | None:
    """The id of the account these credentials open, or None; raises TooManyAttemptsError while locked.

    Call it before the request touches its own session: it takes the database's writer lock briefly.
    """
    key = f"user:{username.strip().casefold()}"
    now = platform.clock.now()
    try:
        with unit_of_work(platform.write_sessions) as db:
            throttle = directory.throttle_for_update(db, key)
            if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
                raise TooManyAttemptsError(max(1, -(-int((throttle.locked_until - now).total_seconds()) // 60)))
            user = accounts.authenticate(db, username, password) if username.strip() and password else None
            if user is not None:
                if throttle is not None:
                    directory.delete_throttle(db, key)
                return user.id
            if throttle is None or now - throttle.first_failure_at > WINDOW:
                if throttle is not None:
                    directory.delete_throttle(db, key)
                    db.flush()
                throttle = SignInThrottle(key=key, failures=0, first_failure_at=now)
                directory.add_throttle(db, throttle)
            throttle.failures += 1
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
    except IntegrityError:
        return None  # two failures of a new key at once: one is counted, both are refused
