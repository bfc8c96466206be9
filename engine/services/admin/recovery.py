"""Passwords after sign-up: reset by a mailed link, change while signed in, sign out everywhere, and staff
invitations (an invited person sets their first password through the link an administrator had mailed).

A new password always brings a new security stamp (every session elsewhere ends, as webapp/auth.py checks the
stamp) and deletes the account's API tokens. Nothing here logs or audits a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.models import User
from engine.services.admin import accounts
from engine.services.admin.identities import has_password
from engine.services.admin.links import LinkPurpose, LinkUsedError, read_link_token
from engine.services.admin.passwords import check_password
from engine.services.admin.registration import (
    RESET_PATH,
    PasswordRefusedError,
    clean_email,
    link_url,
    same_password,
)
from engine.services.context import Actor, Platform
from engine.services.mail.outbox import queue_email
from engine.store import accounts as account_store
from engine.store import audit, directory

KYIV = ZoneInfo("Europe/Kyiv")


class WrongPasswordError(Exception):
    """The current password given to change it is not the account's."""


def request_reset(db: Session, platform: Platform, login: str) -> None:
    """Mail a reset link to the account(s) of this e-mail address or username; silent when there are none."""
    login = login.strip()
    if not login:
        return
    users = list(account_store.users_with_email(db, login)) if clean_email(login) else []
    if not users and (found := account_store.find_by_username(db, login)) is not None:
        users = [found]
    for user in users:
        if not user.active or not user.email:
            continue  # nowhere to send it (the page still says the same)
        queue_email(
            db,
            platform,
            to=user.email,
            template="reset_password",
            context={
                "name": user.full_name or user.username,
                "username": user.username,
                "reset_url": link_url(platform, RESET_PATH, LinkPurpose.RESET_PASSWORD, user),
            },
            locale=user.locale,
        )
        audit.record(db, action="auth.reset_requested", actor_id=user.id, actor=user.username, details={})


def read_reset(db: Session, platform: Platform, token: str) -> User:
    """The account a reset link is for; raises the link's LinkError when it cannot be used."""
    user = read_link_token(db, platform.settings.secret_key, platform.clock, LinkPurpose.RESET_PASSWORD, token)
    if not user.active:
        raise LinkUsedError(LinkPurpose.RESET_PASSWORD)  # a closed account: nothing to reset
    return user


def reset_password(db: Session, platform: Platform, token: str, password: str) -> User:
    """Set the new password from a reset link; every session and token of the account ends; audited and mailed.

    The link came to the account's address, so the address counts as verified from now on.
    """
    user = read_reset(db, platform, token)
    _set_password(db, user, password)
    if user.email and user.email_verified_at is None:
        user.email_verified_at = session_now(db)
    audit.record(db, action="auth.password_reset", actor_id=user.id, actor=user.username, details={})
    _mail_changed(db, platform, user)
    db.flush()
    return user


def change_password(db: Session, platform: Platform, actor: Actor, *, current: str, new: str) -> User:
    """The signed-in person's new password (the current one is asked for unless the account has none yet, as
    accounts made by an identity provider); other sessions and API tokens end, the caller keeps its own."""
    user = directory.get_user(db, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.active:
        raise WrongPasswordError
    first = not has_password(user)
    if not first and not same_password(user, current):
        raise WrongPasswordError
    _set_password(db, user, new)
    audit.record(db, action="auth.password_changed", actor_id=user.id, actor=user.username, details={"first": first})
    _mail_changed(db, platform, user)
    db.flush()
    return user


def needs_current_password(db: Session, actor: Actor) -> bool:
    user = directory.get_user(db, actor.user_id) if actor.user_id is not None else None
    return user is not None and has_password(user)


def sign_out_everywhere(db: Session, actor: Actor) -> None:
    """End every session and API token of the signed-in person (this one too); audited."""
    user = directory.get_user(db, actor.user_id) if actor.user_id is not None else None
    if user is None:
        return
    end_sessions(db, user)
    audit.record(db, action="auth.signed_out_everywhere", actor_id=user.id, actor=user.username, details={})
    db.flush()


def end_sessions(db: Session, user: User) -> None:
    """A new security stamp (every session's stamp is stale now) and no API tokens."""
    user.security_stamp = accounts.new_security_stamp()
    account_store.delete_tokens_of(db, user.id)


def read_invitation(db: Session, platform: Platform, token: str) -> User:
    """The staff account an invitation link is for; raises the link's LinkError when it cannot be used."""
    user = read_link_token(db, platform.settings.secret_key, platform.clock, LinkPurpose.INVITATION, token)
    if not user.active:
        raise LinkUsedError(LinkPurpose.INVITATION)
    return user


def accept_invitation(db: Session, platform: Platform, token: str, password: str) -> User:
    """The invited person's first password; the invitation came to their address, so it is verified. Audited."""
    user = read_invitation(db, platform, token)
    _set_password(db, user, password)
    if user.email_verified_at is None:
        user.email_verified_at = session_now(db)
    audit.record(db, action="auth.invitation_accepted", actor_id=user.id, actor=user.username, details={})
    db.flush()
    return user


def _set_password(db: Session, user: User, password: str) -> None:
    problem = check_password(password, personal=(user.username, user.email, user.full_name))
    if problem is not None:
        raise PasswordRefusedError(problem)
    user.password_hash = accounts.hash_password(password)
    end_sessions(db, user)


def _mail_changed(db: Session, platform: Platform, user: User) -> None:
    if not user.email:
        return
    queue_email(
        db,
        platform,
        to=user.email,
        template="password_changed",
        context={
            "name": user.full_name or user.username,
            "username": user.username,
            "when": session_now(db).astimezone(KYIV).strftime("%d.%m.%Y %H:%M"),
            "reset_url": link_url(platform, RESET_PATH, LinkPurpose.RESET_PASSWORD, user),
        },
        locale=user.locale,
    )


@dataclass(frozen=True)
class AccountDetails:
    """What the account page shows about the signed-in person."""

    username: str
    full_name: str
    email: str
    email_verified: bool
    has_password: bool


def account_details(db: Session, actor: Actor) -> AccountDetails | None:
    user = directory.get_user(db, actor.user_id) if actor.user_id is not None else None
    if user is None:
        return None
    return AccountDetails(
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        email_verified=user.email_verified_at is not None,
        has_password=has_password(user),
    )
