"""Bearer tokens for the API. Cookies are never consulted: without a token the caller is anonymous."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, g, request
from flask_babel import gettext as _

from engine.services.admin import accounts
from engine.services.context import Actor
from webapp.api.errors import MissingTokenError, unauthorized
from webapp.i18n import current_locale
from webapp.requests import actor, db, platform

#: Endpoints that ignore the Authorization header entirely (signing in must work with a stale token).
#: Integrations' message endpoint checks its own (integration) token, not a person's.
PUBLIC_ENDPOINTS = frozenset({"api.issue_token", "api.openapi", "api.deliver_message"})


def anonymous(locale: str) -> Actor:
    return Actor(user_id=None, username="anonymous", role="anonymous", locale=locale)


def load_api_actor() -> tuple[Response, int] | None:
    """Runs before every API view: sets `g.api_actor` (so webapp.requests.actor() never falls back to the session)."""
    locale = current_locale()
    g.api_actor = anonymous(locale)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return unauthorized(_("Use the Authorization header in the form: Bearer TOKEN."))
    found = accounts.actor_for_token(db(), token.strip(), platform().caches)
    if found is None:
        return unauthorized(_("The token is not valid or has expired; request a new one."))
    g.api_actor = replace(found, locale=locale)
    return None


def signed_in() -> Actor:
    """The caller, who must have presented a valid token."""
    found = actor()
    if found.user_id is None:
        raise MissingTokenError
    return found
