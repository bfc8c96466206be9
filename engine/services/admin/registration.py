"""Citizens' self-registration with a local account, and the verification of its e-mail address.

* The username is the e-mail address (lower case). The account is created at once, but it cannot sign in until the
  link mailed to the address is used (`awaits_verification`).
* Registering with an address that already has an account reveals nothing: the caller shows the same page, and
  the account's owner gets a mail saying someone tried, with a link to set a new password. (A reset link also
  proves the address, so an account someone else registered with your address becomes yours by resetting it.)
* Sending the same form twice queues one verification mail, not two (the mail's key is the account's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import Role, User
from engine.services.admin import accounts
from engine.services.admin.links import LinkPurpose, make_link_token, read_link_token
from engine.services.admin.passwords import check_password
from engine.services.context import Platform
from engine.services.mail.outbox import queue_email
from engine.store import accounts as account_store
from engine.store import audit

VERIFY_PATH: Final = "/account/verify/{token}"
RESET_PATH: Final = "/password/reset/{token}"
INVITATION_PATH: Final = "/invitation/{token}"
MAX_EMAIL: Final = 150
"""The username column's length: the address is the username."""
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
LOCALES: Final = ("uk", "en")
_HASHER: Final = PasswordHasher()


class PasswordRefusedError(Exception):
    """The new password breaks the policy; `problem` says how (engine.services.admin.passwords.PasswordProblem)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class SignUp:
    full_name: str
    email: str
    password: str
    locale: str = "uk"


def clean_email(text: str) -> str | None:
    """The address as it will be kept (spaces removed), or None when it is not an e-mail address."""
    address = text.strip()
    if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
        return None
    return address


def link_url(platform: Platform, path: str, purpose: LinkPurpose, user: User) -> str:
    token = make_link_token(platform.settings.secret_key, platform.clock, purpose, user)
    return platform.settings.base_url.rstrip("/") + path.format(token=token)


def sign_up(db: Session, platform: Platform, form: SignUp) -> None:
    """Create the citizen's account and mail the verification link; or, when the address has an account already,
    mail its owner instead. The caller cannot tell which happened, and must not."""
    email = clean_email(form.email)
    if email is None:
        raise ValueError("not an e-mail address")
    problem = check_password(form.password, personal=(email, form.full_name))
    if problem is not None:
        raise PasswordRefusedError(problem)
    password_hash = accounts.hash_password(form.password)  # always: the time taken does not say the address is known
    existing = account_store.users_with_email(db, email)
    if existing:
        _tell_owners(db, platform, existing, form)
        return
    user = accounts.create_user(
        db,
        username=email.lower(),
        password="",
        password_hash=password_hash,
        full_name=form.full_name.strip(),
        email=email,
        role=Role.CITIZEN,
    )
    user.locale = form.locale if form.locale in LOCALES else "uk"
    user.email_verification_required = True
    audit.record(db, action="auth.signed_up", actor_id=user.id, actor=user.username, details={"method": "password"})
    _send_verification(db, platform, user, key=_sign_up_key(platform, user))


def _tell_owners(db: Session, platform: Platform, owners: Sequence[User], form: SignUp) -> None:
    for user in owners:
        if not user.active:
            continue
        if accounts.awaits_verification(user) and same_password(user, form.password):
            _send_verification(db, platform, user, key=_sign_up_key(platform, user))  # the same form sent again
            continue
        queue_email(
            db,
            platform,
            to=user.email or form.email,
            template="already_registered",
            context={
                "name": user.full_name or user.username,
                "username": user.username,
                "reset_url": link_url(platform, RESET_PATH, LinkPurpose.RESET_PASSWORD, user),
            },
            locale=user.locale,
        )


def same_password(user: User, password: str) -> bool:
    try:
        return bool(_HASHER.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def resend_verification(db: Session, platform: Platform, address: str) -> None:
    """Mail a new verification link to each account of this address that still awaits one; silent otherwise."""
    email = clean_email(address)
    if email is None:
        return
    for user in account_store.users_with_email(db, email):
        if user.active and accounts.awaits_verification(user):
            _send_verification(db, platform, user, key=None)


def _sign_up_key(platform: Platform, user: User) -> str:
    """The same form sent again within ten minutes queues no second mail; later, a new one goes."""
    return f"signed-up:{user.id}:{int(platform.clock.now().timestamp()) // 600}"


def _send_verification(db: Session, platform: Platform, user: User, *, key: str | None) -> None:
    queue_email(
        db,
        platform,
        to=user.email,
        template="verify_email",
        context={
            "name": user.full_name or user.username,
            "verify_url": link_url(platform, VERIFY_PATH, LinkPurpose.VERIFY_EMAIL, user),
        },
        locale=user.locale,
        key=key,
    )


def read_verification(db: Session, platform: Platform, token: str) -> User:
    """The account a verification link is for; raises the link's LinkError when it cannot be used."""
    return read_link_token(db, platform.settings.secret_key, platform.clock, LinkPurpose.VERIFY_EMAIL, token)


def verify_email(db: Session, platform: Platform, token: str) -> User:
    """Mark the address verified (the link then reads as used); audited."""
    user = read_verification(db, platform, token)
    user.email_verified_at = session_now(db)
    audit.record(db, action="auth.email_verified", actor_id=user.id, actor=user.username, details={})
    db.flush()
    return user
