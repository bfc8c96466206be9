"""Signing in through an external identity provider (OpenID Connect): find or create the account, keep it current.

The web layer runs the protocol (Authlib: state, nonce, PKCE, the ID token's signature and claims) and hands over
the verified claims; this module decides whose account they open:

* An identity is (provider, subject). Its first sign-in creates a citizen's account from the claims; later ones
  open that account, whatever the claims say now. Accounts are never merged by e-mail: a signed-in person links
  another provider to their account themselves (`link_identity`).
* Every sign-in refreshes the account from what the provider vouches for: names (a changed name is taken: it is
  verified), the tax number, and e-mail and phone when verified. A provider that stops sending the e-mail (or
  anything else) leaves the value on file as it was.
* What the provider vouches for is kept on the account (`User.verified_json`, carried by the Actor), so forms can
  show it read-only without another query (engine/services/cases/prefill.py).
* Refusals are audited in a transaction of their own (the request that refuses is rolled back).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy.orm import Session

from engine.db import session_now, unit_of_work
from engine.models import ExternalIdentity, Role, User
from engine.oidc_settings import OidcProvider
from engine.services.admin.accounts import new_security_stamp
from engine.services.context import Actor, Platform
from engine.store import audit, directory, identities

NO_PASSWORD: Final = "!external"  # noqa: S105 - not a password: a hash no password matches
"""The password hash of an account made by an identity provider: no password opens it (argon2 cannot read it)."""
NAME_KEYS: Final = ("full_name", "given_name", "family_name", "middle_name")
VERIFIED_KEYS: Final = (*NAME_KEYS, "tax_number", "email", "phone")
PROVIDER_KEY: Final = "provider"
"""In `User.verified_json`, beside the values: the provider that last vouched for them."""
#: Claims about the token itself, not the person: not kept with the identity.
_PROTOCOL_CLAIMS: Final = frozenset(
    {"iss", "aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "azp", "jti", "sid"}
)
_SPACES: Final = re.compile(r"\s+")
_LIMITS: Final = {"full_name": 300, "given_name": 100, "family_name": 100, "middle_name": 100, "email": 300}


class Refusal(StrEnum):
    """Why a sign-in through a provider did not happen (each has its own message on the sign-in page)."""

    PROVIDER_UNAVAILABLE = "provider_unavailable"
    CANCELLED = "cancelled"
    STATE_MISMATCH = "state_mismatch"
    CODE_REJECTED = "code_rejected"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - a reason, not a secret
    TOKEN_EXPIRED = "token_expired"  # noqa: S105
    MISSING_SUBJECT = "missing_subject"
    EMAIL_UNVERIFIED = "email_unverified"
    DEACTIVATED = "deactivated"
    LINKED_ELSEWHERE = "linked_elsewhere"
    LAST_WAY_IN = "last_way_in"


class SignInRefusedError(Exception):
    """The provider's answer opens no account; nothing was created or changed."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal
        self.detail = detail


@dataclass(frozen=True)
class ProviderClaims:
    """One sign-in's claims, read through the provider's claim mapping and cleaned."""

    provider: str
    subject: str
    values: dict[str, str]
    """Our fields (VERIFIED_KEYS) that the provider gave, cleaned; empty ones left out."""
    verified: dict[str, str]
    """The part of `values` the provider vouches for."""
    raw: dict[str, Any]


@dataclass(frozen=True)
class SignInOutcome:
    actor: Actor
    created: bool


@dataclass(frozen=True)
class IdentityView:
    provider: str
    linked_at: datetime
    last_sign_in_at: datetime | None


def read_claims(provider: OidcProvider, claims: Mapping[str, Any]) -> ProviderClaims:
    """Our fields from the claims of a checked ID token (and user info); refuses a missing or unusable subject."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        raise SignInRefusedError(Refusal.MISSING_SUBJECT, repr(subject)[:80])
    values = {key: _clean(key, claims.get(provider.claim(key))) for key in VERIFIED_KEYS if provider.claim(key)}
    values = {key: value for key, value in values.items() if value}
    if "full_name" not in values:
        composed = " ".join(values[k] for k in ("given_name", "middle_name", "family_name") if k in values)
        if composed:
            values["full_name"] = composed
    verified = {key: value for key, value in values.items() if _vouched(provider, claims, key)}
    if provider.require_verified_email and "email" not in verified:
        raise SignInRefusedError(Refusal.EMAIL_UNVERIFIED, "no verified e-mail address")
    kept = {k: v for k, v in claims.items() if k not in _PROTOCOL_CLAIMS}
    return ProviderClaims(provider=provider.name, subject=subject, values=values, verified=verified, raw=kept)


def _clean(key: str, value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return ""
    text = _SPACES.sub(" ", str(value)).strip()
    if key == "tax_number":
        text = re.sub(r"[\s-]", "", text)
        return text if re.fullmatch(r"[0-9A-Za-zА-ЯІЇЄҐа-яіїєґ]{1,20}", text) else ""
    if key == "phone":
        text = re.sub(r"[\s()-]", "", text)
        return text if re.fullmatch(r"\+?[0-9]{5,15}", text) else ""
    if key == "email":
        return text if "@" in text and " " not in text and len(text) <= _LIMITS["email"] else ""
    return text[: _LIMITS.get(key, 300)]


def _vouched(provider: OidcProvider, claims: Mapping[str, Any], key: str) -> bool:
    if key in NAME_KEYS:
        return "names" in provider.verifies
    if key == "tax_number":
        return "tax_number" in provider.verifies
    said = claims.get(provider.claim(f"{key}_verified")) if provider.claim(f"{key}_verified") else None
    if said is not None:
        return said is True or (isinstance(said, str) and said.lower() == "true")
    return key in provider.verifies


def sign_in(db: Session, provider: OidcProvider, claims: ProviderClaims, *, locale: str = "uk") -> SignInOutcome:
    """The account these claims open (created on the first sign-in), brought up to date; audited."""
    identity = identities.find(db, provider.name, claims.subject)
    now = session_now(db)
    created = identity is None
    if identity is None:
        user = _create_account(db, provider, claims, locale=locale, now=now)
        identity = ExternalIdentity(user_id=user.id, provider=provider.name, subject=claims.subject, created_at=now)
        identities.add(db, identity)
        audit.record(db, action="auth.signed_up", actor_id=user.id, actor=user.username, details=_said(provider))
    else:
        user = identity.user
        if not user.active or user.deactivated_at is not None:
            raise SignInRefusedError(Refusal.DEACTIVATED, user.username)
    identity.user = user
    _refresh(db, identity, provider, claims, now=now)
    audit.record(
        db,
        action="auth.signed_in",
        actor_id=user.id,
        actor=user.username,
        details={**_said(provider), "method": "oidc"},
    )
    db.flush()
    return SignInOutcome(actor=Actor.of(user), created=created)


def link_identity(db: Session, provider: OidcProvider, claims: ProviderClaims, actor: Actor) -> bool:
    """Link the provider's identity to the signed-in person's account; False when it already was."""
    user = directory.get_user(db, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise SignInRefusedError(Refusal.DEACTIVATED, actor.username)
    identity = identities.find(db, provider.name, claims.subject)
    if identity is not None and identity.user_id != user.id:
        raise SignInRefusedError(Refusal.LINKED_ELSEWHERE, identity.user.username)
    now = session_now(db)
    linked = identity is None
    if identity is None:
        identity = ExternalIdentity(user_id=user.id, provider=provider.name, subject=claims.subject, created_at=now)
        identities.add(db, identity)
        audit.record(db, action="auth.identity_linked", actor_id=user.id, actor=user.username, details=_said(provider))
    identity.user = user
    _refresh(db, identity, provider, claims, now=now)
    db.flush()
    return linked


def unlink_identity(db: Session, actor: Actor, provider_name: str) -> None:
    """Remove a linked provider, unless it is the account's only way in (no password, no other provider)."""
    user = directory.get_user(db, actor.user_id) if actor.user_id is not None else None
    linked = list(identities.of_user(db, user.id)) if user is not None else []
    identity = next((i for i in linked if i.provider == provider_name), None)
    if user is None or identity is None:
        raise LookupError(provider_name)
    if len(linked) == 1 and not has_password(user):
        raise SignInRefusedError(Refusal.LAST_WAY_IN, provider_name)
    identities.delete(db, identity)
    if len(linked) == 1:
        user.verified_json = "{}"  # no provider vouches for those values any more: forms let the person change them
    audit.record(
        db, action="auth.identity_unlinked", actor_id=user.id, actor=user.username, details={"provider": provider_name}
    )
    db.flush()


def identities_of(db: Session, user_id: int) -> list[IdentityView]:
    return [
        IdentityView(provider=i.provider, linked_at=i.created_at, last_sign_in_at=i.last_sign_in_at)
        for i in identities.of_user(db, user_id)
    ]


def has_password(user: User) -> bool:
    return user.password_hash.startswith("$")


def record_refusal(
    platform: Platform, provider: str, refusal: Refusal, *, detail: str = "", subject: str | None = None
) -> None:
    """Audit a failed sign-in in its own transaction (the refusing request rolls its own back)."""
    with unit_of_work(platform.write_sessions) as db:
        audit.record(
            db,
            action="auth.sign_in_failed",
            actor_id=None,
            actor=f"{provider}:{subject}"[:150] if subject else provider,
            details={"provider": provider, "method": "oidc", "reason": refusal.value, "detail": detail[:300]},
        )


def _said(provider: OidcProvider) -> dict[str, str]:
    return {"provider": provider.name}


def _create_account(db: Session, provider: OidcProvider, claims: ProviderClaims, *, locale: str, now: datetime) -> User:
    user = User(
        username=_username(db, provider.name, claims.subject),
        password_hash=NO_PASSWORD,
        role=Role.CITIZEN.value,
        full_name="",
        email="",
        locale=locale if locale in ("uk", "en") else "uk",
        security_stamp=new_security_stamp(),
        verified_json="{}",
    )
    directory.add(db, user)
    return user


def _username(db: Session, provider: str, subject: str) -> str:
    """Derived from (provider, subject), never from the claims: stable, not guessable from a name, no collisions."""
    digest = hashlib.sha256(f"{provider}\n{subject}".encode()).hexdigest()
    candidates = [f"{provider}-{digest[:length]}" for length in (10, 16, 32, 64)]
    taken = identities.usernames_taken(db, candidates)
    return next(c for c in candidates if c not in taken)


def _refresh(
    db: Session, identity: ExternalIdentity, provider: OidcProvider, claims: ProviderClaims, *, now: datetime
) -> None:
    """Bring the identity and its account up to date; the account is written only where something changed (a
    change bumps the people revision, which every host's cache of people follows)."""
    identity.claims_json = json.dumps(claims.raw, ensure_ascii=False, sort_keys=True, default=str)
    identity.last_sign_in_at = now
    user = identity.user
    values, verified = claims.values, claims.verified
    if "full_name" in verified or ("full_name" in values and not user.full_name):
        _set(user, "full_name", values["full_name"])
    if "email" in verified:
        if user.email.casefold() != verified["email"].casefold() or user.email_verified_at is None:
            _set(user, "email", verified["email"])
            user.email_verified_at = now
    elif "email" in values and not user.email:
        _set(user, "email", values["email"])
    if "phone" in verified or ("phone" in values and not user.phone):
        _set(user, "phone", values["phone"])
    if "tax_number" in verified:
        _set(user, "tax_number", verified["tax_number"])
    _set(user, "verified_json", _verified_json(user, provider, claims))


def _verified_json(user: User, provider: OidcProvider, claims: ProviderClaims) -> str:
    """This sign-in's vouched values over those on file: a name comes whole (a new name may have no patronymic);
    an e-mail, phone or tax number the provider no longer sends stays as it was."""
    held: dict[str, str] = json.loads(user.verified_json or "{}")
    if any(k in claims.verified for k in NAME_KEYS):
        held = {k: v for k, v in held.items() if k not in NAME_KEYS}
    held.update(claims.verified)
    if held.get("email", "").casefold() != user.email.casefold():
        held.pop("email", None)  # the account's e-mail is another one now
    held[PROVIDER_KEY] = provider.name
    return json.dumps(dict(sorted(held.items())), ensure_ascii=False)


def _set(user: User, attribute: str, value: str) -> None:
    if getattr(user, attribute) != value:
        setattr(user, attribute, value)
