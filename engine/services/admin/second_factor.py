"""A second factor for signing in: TOTP codes (RFC 6238: 30-second steps, 6 digits) and ten recovery codes.

Invariants: a code is accepted at most once (the accepted time step is stored, and only later steps count); each
recovery code opens the account once (only argon2 hashes are kept, a used one is removed); wrong codes are counted
per account in the database like wrong passwords (`SignInThrottle` key ``totp:<user id>``), so five lock the second
factor for 15 minutes on every host. Enabling or disabling changes nothing else (sessions, tokens, password).
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.db import session_now, unit_of_work
from engine.models import SecondFactor, SignInThrottle, User
from engine.services.admin.sign_in import LOCK, MAX_FAILURES, WINDOW, TooManyAttemptsError
from engine.services.context import Actor, Platform
from engine.services.errors import ForbiddenError, NotFoundError
from engine.store import audit, directory, second_factors

ISSUER: Final = "Posluhy"
"""The name authenticator apps show beside the username."""
RECOVERY_CODE_COUNT: Final = 10
STEP_WINDOW: Final = 1
"""Codes of the previous and the next 30-second step are accepted too (phones' clocks drift)."""
_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyz23456789"
"""Recovery codes avoid letters and digits that look alike (0/o, 1/l/i)."""
_HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
"""Recovery codes carry 59 random bits, so a lighter argon2 than passwords' is enough (OWASP's minimum)."""


class Method(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


class WrongCodeError(Exception):
    """The code is not the current one, was already used, or is not a recovery code of this account."""


class NotEnrolledError(Exception):
    """The account has no (confirmed) second factor."""


class AlreadyEnabledError(Exception):
    """The account already has a confirmed second factor."""


@dataclass(frozen=True)
class Enrolment:
    """What the person needs to add the account to an authenticator app."""

    secret: str
    uri: str

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, easier to type by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


@dataclass(frozen=True)
class FactorStatus:
    enabled: bool
    confirmed_at: datetime | None = None
    recovery_codes_left: int = 0


def required_for(role: str, required_roles: tuple[str, ...]) -> bool:
    """Whether accounts of `role` must sign in with a second factor (Settings.second_factor_roles)."""
    return role in required_roles


def status_of(db: Session, user_id: int) -> FactorStatus:
    factor = second_factors.get(db, user_id)
    if factor is None or factor.confirmed_at is None:
        return FactorStatus(enabled=False)
    return FactorStatus(True, factor.confirmed_at, len(_hashes(factor)))


def is_enabled(db: Session, user_id: int) -> bool:
    return status_of(db, user_id).enabled


def start_enrolment(db: Session, user_id: int) -> Enrolment:
    """A new secret for the account (kept unconfirmed until a code proves the app has it); calling it again before
    confirming gives the same secret, so reloading the page does not invalidate what the app already scanned."""
    user = _user(db, user_id)
    factor = second_factors.get(db, user_id)
    if factor is not None and factor.confirmed_at is not None:
        raise AlreadyEnabledError
    if factor is None:
        factor = SecondFactor(user_id=user_id, totp_secret=pyotp.random_base32(), recovery_codes_json="[]")
        factor.last_used_step = 0
        second_factors.add(db, factor)
    return _enrolment(user, factor.totp_secret)


def begin_enrolment(platform: Platform, user_id: int) -> Enrolment:
    """`start_enrolment` in a transaction of its own (the enrolment page shows the secret on GET, whose request
    session only reads)."""
    with unit_of_work(platform.write_sessions) as db:
        return start_enrolment(db, user_id)


def pending_enrolment(db: Session, user_id: int) -> Enrolment | None:
    """The enrolment begun by `start_enrolment` and not yet confirmed, if any."""
    factor = second_factors.get(db, user_id)
    if factor is None or factor.confirmed_at is not None:
        return None
    return _enrolment(_user(db, user_id), factor.totp_secret)


def confirm_enrolment(db: Session, user_id: int, code: str) -> list[str]:
    """Turn the second factor on once `code` shows the app has the secret; returns the recovery codes, the only time
    they are ever shown. Audited `second_factor.enabled`; other sessions stay open (see the README)."""
    user = _user(db, user_id)
    factor = second_factors.get_for_update(db, user_id)
    if factor is None or factor.confirmed_at is not None:
        raise NotEnrolledError
    now = session_now(db)
    step = _matching_step(factor, code, now)
    if step is None:
        raise WrongCodeError
    factor.last_used_step = step
    factor.confirmed_at = now
    codes = _new_recovery_codes(factor)
    audit.record(db, action="second_factor.enabled", actor_id=user.id, actor=user.username, details={"method": "totp"})
    return codes


def verify(platform: Platform, user_id: int, code: str, *, purpose: str = "sign_in") -> Method:
    """Accept a current TOTP code or an unused recovery code of the account, or raise WrongCodeError (audited
    `auth.sign_in_failed`, method totp), TooManyAttemptsError (locked) or NotEnrolledError.

    Runs in a transaction of its own, like `sign_in.verify_password`: the used step or recovery code and the count
    of wrong codes are kept whatever the request does next. Call it before the request touches its own session.
    """
    try:
        with unit_of_work(platform.write_sessions) as db:
            outcome = _attempt(db, user_id, code, platform.clock.now(), purpose)
    except IntegrityError:
        raise WrongCodeError from None  # two failures of a new key at once: one is counted, both are refused
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def renew_recovery_codes(db: Session, user_id: int) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Audited `second_factor.recovery_codes_renewed`."""
    user = _user(db, user_id)
    factor = second_factors.get_for_update(db, user_id)
    if factor is None or factor.confirmed_at is None:
        raise NotEnrolledError
    codes = _new_recovery_codes(factor)
    audit.record(db, action="second_factor.recovery_codes_renewed", actor_id=user.id, actor=user.username)
    return codes


def disable(db: Session, user_id: int) -> None:
    """The person turns their second factor off (the caller has checked a current code with `verify`)."""
    user = _user(db, user_id)
    if not second_factors.delete_for(db, user_id):
        raise NotEnrolledError
    directory.delete_throttle(db, _key(user_id))
    audit.record(db, action="second_factor.disabled", actor_id=user.id, actor=user.username, details={"by": "person"})


def reset_for(db: Session, admin_actor: Actor, user_id: int) -> bool:
    """An administrator removes the second factor of someone who lost their device (they enrol again at their next
    sign-in if their role requires one). False when the account had none; audited `second_factor.disabled`, by admin."""
    if admin_actor.role != "admin" or admin_actor.user_id is None:
        raise ForbiddenError("only administrators reset second factors")
    user = directory.get_user(db, user_id)
    if user is None:
        raise NotFoundError(str(user_id))
    removed = second_factors.delete_for(db, user_id)
    directory.delete_throttle(db, _key(user_id))
    if removed:
        audit.record(
            db,
            action="second_factor.disabled",
            actor_id=admin_actor.user_id,
            actor=admin_actor.username,
            details={"by": "admin", "user_id": user.id, "username": user.username},
        )
    return removed


# --- Checking codes --------------------------------------------------------------------------------------------


def _attempt(db: Session, user_id: int, code: str, now: datetime, purpose: str) -> Method | Exception:
    user = _user(db, user_id)
    key = _key(user_id)
    throttle = directory.throttle_for_update(db, key)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        _record_failure(db, user, "locked", purpose)
        return TooManyAttemptsError(max(1, -(-int((throttle.locked_until - now).total_seconds()) // 60)))
    factor = second_factors.get_for_update(db, user_id)
    if factor is None or factor.confirmed_at is None:
        return NotEnrolledError()
    method = _use(factor, code, now)
    if method is not None:
        if throttle is not None:
            directory.delete_throttle(db, key)
        if method is Method.RECOVERY_CODE:
            audit.record(
                db,
                action="second_factor.recovery_code_used",
                actor_id=user.id,
                actor=user.username,
                details={"left": len(_hashes(factor)), "purpose": purpose},
            )
        return method
    _count_failure(db, user, throttle, now, purpose)
    return WrongCodeError()


def _count_failure(db: Session, user: User, throttle: SignInThrottle | None, now: datetime, purpose: str) -> None:
    if throttle is None or now - throttle.first_failure_at > WINDOW:
        if throttle is not None:
            directory.delete_throttle(db, throttle.key)
            db.flush()
        throttle = SignInThrottle(key=_key(user.id), failures=0, first_failure_at=now)
        directory.add_throttle(db, throttle)
    throttle.failures += 1
    _record_failure(db, user, "wrong_code", purpose)
    if throttle.failures >= MAX_FAILURES:
        throttle.locked_until = now + LOCK
        audit.record(
            db,
            action="auth.locked",
            actor_id=user.id,
            actor=user.username,
            details={"method": "totp", "failures": throttle.failures, "until": throttle.locked_until.isoformat()},
        )


def _record_failure(db: Session, user: User, reason: str, purpose: str) -> None:
    details = {"method": "totp", "reason": reason}
    if purpose != "sign_in":
        details["purpose"] = purpose
    audit.record(db, action="auth.sign_in_failed", actor_id=user.id, actor=user.username, details=details)


def _use(factor: SecondFactor, code: str, now: datetime) -> Method | None:
    """Consume `code` if it opens the factor: a TOTP step later than the last used one, or an unused recovery code."""
    digits = "".join(code.split())
    if digits.isascii() and digits.isdigit():
        step = _matching_step(factor, digits, now)
        if step is None:
            return None
        factor.last_used_step = step
        return Method.TOTP
    wanted = canonical_recovery_code(code)
    if wanted is None:
        return None
    hashes = _hashes(factor)
    for stored in hashes:
        if _matches(stored, wanted):
            factor.recovery_codes_json = json.dumps([h for h in hashes if h != stored])
            return Method.RECOVERY_CODE
    return None


def _matching_step(factor: SecondFactor, code: str, now: datetime) -> int | None:
    """The time step (within ±STEP_WINDOW of now) whose code this is, if later than the last accepted step."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(factor.totp_secret)
    for offset in range(-STEP_WINDOW, STEP_WINDOW + 1):
        moment = now.timestamp() + offset * totp.interval
        step = totp.timecode(datetime.fromtimestamp(moment, tz=now.tzinfo))
        if step > (factor.last_used_step or 0) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def canonical_recovery_code(text: str) -> str | None:
    """A recovery code as issued (``abcd-efgh-jkmn``) whatever spaces, hyphens or capitals were typed; else None."""
    letters = "".join(ch for ch in text.lower() if ch not in " -\t")
    if len(letters) != 12 or any(ch not in _ALPHABET for ch in letters):
        return None
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def _new_recovery_codes(factor: SecondFactor) -> list[str]:
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    factor.recovery_codes_json = json.dumps([_HASHER.hash(code) for code in codes])
    return codes


def _random_recovery_code() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def _matches(stored: str, code: str) -> bool:
    try:
        return _HASHER.verify(stored, code)
    except (VerificationError, InvalidHashError):
        return False


def _hashes(factor: SecondFactor) -> list[str]:
    found = json.loads(factor.recovery_codes_json or "[]")
    return [str(h) for h in found] if isinstance(found, list) else []


def _enrolment(user: User, secret: str) -> Enrolment:
    return Enrolment(secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER))


def _user(db: Session, user_id: int) -> User:
    user = directory.get_user(db, user_id)
    if user is None:
        raise NotFoundError(str(user_id))
    return user


def _key(user_id: int) -> str:
    return f"totp:{user_id}"
