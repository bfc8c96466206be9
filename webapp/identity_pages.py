"""Signing in with an external identity provider over OpenID Connect (authorization code flow with PKCE).

Authlib runs the protocol: it makes the state, the nonce and the PKCE verifier and keeps them in the signed session
cookie (so any host can finish a sign-in another host began), exchanges the code, and checks the ID token's
signature against the provider's published keys and its claims (issuer, audience, nonce, expiry — against the
platform's clock). What the checked claims open is the engine's business (engine/services/admin/identities.py);
every way of signing in ends in `webapp.auth.finish_sign_in`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from authlib.oidc.core import CodeIDToken
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import ExpiredTokenError, JoseError, MissingClaimError
from werkzeug.wrappers import Response

from engine.oidc_settings import OidcProvider
from engine.services.admin import identities
from engine.services.admin.identities import ProviderClaims, Refusal, SignInRefusedError
from webapp.auth import auth, finish_sign_in, safe_next, second_factor_step
from webapp.citizen.common import notice, signed_in
from webapp.i18n import current_locale
from webapp.requests import actor, db, platform

_PROVIDERS_KEY = "posluhy_identity_providers"
_NEXT = "oidc_next"
_LINKING = "oidc_link"
LEEWAY_SECONDS = 120
"""How far the provider's clock may be from the platform's when the ID token's times are checked."""


@dataclass(frozen=True)
class ProviderChoice:
    name: str
    title: str


def setup_identity_providers(app: Flask, providers: tuple[OidcProvider, ...], *, base_url: str) -> None:
    """Register one Authlib client per configured provider; the sign-in page lists them by display name."""
    oauth = OAuth(app)
    for provider in providers:
        oauth.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret or None,
            server_metadata_url=provider.metadata_url,
            client_kwargs={
                "scope": " ".join(provider.scopes),
                "code_challenge_method": "S256",
                "default_timeout": provider.timeout,
                "token_endpoint_auth_method": "client_secret_basic" if provider.client_secret else "none",
            },
        )
    app.extensions[_PROVIDERS_KEY] = ({p.name: p for p in providers}, base_url.rstrip("/"))
    app.jinja_env.globals["identity_providers"] = _choices


def _configured() -> dict[str, OidcProvider]:
    found: dict[str, OidcProvider] = current_app.extensions[_PROVIDERS_KEY][0]
    return found


def _choices() -> list[ProviderChoice]:
    return [ProviderChoice(p.name, _title(p)) for p in _configured().values()]


def _provider_or_404(name: str) -> OidcProvider:
    provider = _configured().get(name)
    if provider is None:
        abort(404)
    return provider


def _client(provider: OidcProvider) -> Any:
    return current_app.extensions["authlib.integrations.flask_client"].create_client(provider.name)


def _redirect_uri(provider: OidcProvider) -> str:
    """Absolute, from POSLUHY_BASE_URL: the address registered with the provider, whichever host serves this."""
    base: str = current_app.extensions[_PROVIDERS_KEY][1]
    return base + url_for("auth.oidc_callback", provider=provider.name)


@auth.route("/login/<provider>")
def oidc_login(provider: str) -> Response | tuple[str, int]:
    chosen = _provider_or_404(provider)
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    session[_NEXT] = request.args.get("next", "")
    session.pop(_LINKING, None)
    return _start(chosen)


def _start(provider: OidcProvider) -> Response | tuple[str, int]:
    """Send the browser to the provider (after reading its discovery document, which may fail)."""
    client = _client(provider)
    try:
        _check_issuer(provider, client.load_server_metadata())
        reply: Response = client.authorize_redirect(_redirect_uri(provider), ui_locales=current_locale())
    except (requests.RequestException, ValueError) as exc:
        return _refused(provider, SignInRefusedError(Refusal.PROVIDER_UNAVAILABLE, _short(exc)))
    return reply


def _check_issuer(provider: OidcProvider, metadata: dict[str, Any]) -> None:
    if provider.issuer and str(metadata.get("issuer", "")).rstrip("/") != provider.issuer.rstrip("/"):
        raise ValueError(f"the discovery document names issuer {metadata.get('issuer')!r}, not {provider.issuer!r}")


@auth.route("/login/<provider>/callback")
def oidc_callback(provider: str) -> Response | tuple[str, int]:
    chosen = _provider_or_404(provider)
    linking = session.pop(_LINKING, None)
    target = session.pop(_NEXT, None)
    try:
        claims = identities.read_claims(chosen, _verified_claims(chosen))
    except SignInRefusedError as refused:
        if linking is not None:
            return _link_refused(chosen, refused)
        return _refused(chosen, refused)
    if linking is not None:
        return _finish_link(chosen, claims, linking)
    try:
        outcome = identities.sign_in(db(), chosen, claims, locale=current_locale())
    except SignInRefusedError as refused:
        return _refused(chosen, refused, subject=claims.subject)
    held = second_factor_step(outcome.actor, target, method="oidc")  # staff whose role requires one, or opted in
    if held is not None:
        return held
    return finish_sign_in(outcome.actor, target)


def _verified_claims(provider: OidcProvider) -> dict[str, Any]:
    """The claims of the provider's answer, once Authlib has checked state, code, signature and claims."""
    client = _client(provider)
    try:
        token = client.authorize_access_token(claims_cls=_at_platform_time(), leeway=LEEWAY_SECONDS)
        claims = token.get("userinfo")
        if not claims:  # Authlib skips the ID token when the answer has none: that is no OpenID sign-in
            raise SignInRefusedError(Refusal.INVALID_TOKEN, "the token answer carries no ID token")
        extra = client.userinfo(token=token) if client.load_server_metadata().get("userinfo_endpoint") else {}
    except MismatchingStateError as exc:
        raise SignInRefusedError(Refusal.STATE_MISMATCH, _short(exc)) from exc
    except requests.RequestException as exc:
        raise SignInRefusedError(Refusal.PROVIDER_UNAVAILABLE, _short(exc)) from exc
    except ExpiredTokenError as exc:
        raise SignInRefusedError(Refusal.TOKEN_EXPIRED, _short(exc)) from exc
    except MissingClaimError as exc:
        refusal = Refusal.MISSING_SUBJECT if "sub" in str(exc) else Refusal.INVALID_TOKEN
        raise SignInRefusedError(refusal, _short(exc)) from exc
    except JoseError as exc:
        raise SignInRefusedError(Refusal.INVALID_TOKEN, _short(exc)) from exc
    except AuthlibBaseError as exc:
        refusal = Refusal.CANCELLED if exc.error in ("access_denied", "login_required") else Refusal.CODE_REJECTED
        raise SignInRefusedError(refusal, f"{exc.error}: {exc.description or ''}") from exc
    except (RuntimeError, KeyError, ValueError, TypeError) as exc:  # an answer or document not as OIDC says
        raise SignInRefusedError(Refusal.INVALID_TOKEN, _short(exc)) from exc
    if extra and extra.get("sub") != claims.get("sub"):
        raise SignInRefusedError(Refusal.INVALID_TOKEN, "the user info is about another subject")
    return {**dict(extra), **dict(claims)}  # the signed ID token wins over the user info


def _at_platform_time() -> type[Any]:
    """The ID token's claims as Authlib checks them, with "now" from the platform's clock."""
    now = int(platform().clock.now().timestamp())

    class IdTokenAtPlatformTime(CodeIDToken):  # type: ignore[misc]
        def validate(self, now_: int | None = None, leeway: int = 0) -> None:
            super().validate(now=now, leeway=leeway)

    return IdTokenAtPlatformTime


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _title(provider: OidcProvider) -> str:
    return provider.title(current_locale())


def refusal_message(name: str, refusal: Refusal) -> str:
    """What the person is told about provider `name`, in their language; the details go to the audit trail only."""
    messages = {
        Refusal.PROVIDER_UNAVAILABLE: _(
            "%(provider)s is not answering at the moment. Try again later or sign in another way.", provider=name
        ),
        Refusal.CANCELLED: _("Signing in with %(provider)s was cancelled. You are not signed in.", provider=name),
        Refusal.STATE_MISMATCH: _(
            "This sign-in has expired or was already used. Start signing in with %(provider)s again.", provider=name
        ),
        Refusal.CODE_REJECTED: _(
            "%(provider)s did not confirm this sign-in. Start signing in with %(provider)s again.", provider=name
        ),
        Refusal.INVALID_TOKEN: _(
            "The answer from %(provider)s could not be checked, so you are not signed in. Try again, or sign in "
            "another way.",
            provider=name,
        ),
        Refusal.TOKEN_EXPIRED: _(
            "The answer from %(provider)s has expired. Start signing in with %(provider)s again.", provider=name
        ),
        Refusal.MISSING_SUBJECT: _(
            "%(provider)s did not say who you are, so you are not signed in. Sign in another way.", provider=name
        ),
        Refusal.EMAIL_UNVERIFIED: _(
            "%(provider)s has not confirmed your email address. Confirm it with %(provider)s, then sign in again.",
            provider=name,
        ),
        Refusal.DEACTIVATED: _("This account has been closed. Contact the administration to open it again."),
        Refusal.LINKED_ELSEWHERE: _(
            "This %(provider)s account already signs in to another account here. Sign in with it to use that account.",
            provider=name,
        ),
        Refusal.LAST_WAY_IN: _(
            "%(provider)s is the only way to sign in to this account, so it cannot be removed.", provider=name
        ),
    }
    return str(messages[refusal])


def _status(refusal: Refusal) -> int:
    return 503 if refusal is Refusal.PROVIDER_UNAVAILABLE else 403 if refusal is Refusal.DEACTIVATED else 400


def _refused(provider: OidcProvider, refused: SignInRefusedError, *, subject: str | None = None) -> tuple[str, int]:
    """The sign-in page with the reason on top; the failure is audited, nothing else is written."""
    identities.record_refusal(platform(), provider.name, refused.refusal, detail=refused.detail, subject=subject)
    page = render_template(
        "pages/auth/login.html",
        error=refusal_message(_title(provider), refused.refusal),
        error_target="providers",
        username="",
        next="",
    )
    return page, _status(refused.refusal)


# --- Linking a provider to the signed-in person's account ----------------------------------------------------


@auth.route("/account/sign-in-methods")
@signed_in
def sign_in_methods() -> str:
    linked = {i.provider: i for i in identities.identities_of(db(), actor().user_id or 0)}
    return render_template(
        "pages/auth/sign_in_methods.html",
        providers=list(_configured().values()),
        linked=linked,
        locale=current_locale(),
    )


@auth.route("/account/sign-in-methods/<provider>/link", methods=["POST"])
@signed_in
def link_provider(provider: str) -> Response | tuple[str, int]:
    chosen = _provider_or_404(provider)
    session[_LINKING] = actor().user_id
    session.pop(_NEXT, None)
    started = _start(chosen)
    if isinstance(started, tuple):  # the provider is down: say so where the person was
        session.pop(_LINKING, None)
        notice(refusal_message(_title(chosen), Refusal.PROVIDER_UNAVAILABLE), "warning")
        return redirect(url_for("auth.sign_in_methods"))
    return started


def _finish_link(provider: OidcProvider, claims: ProviderClaims, user_id: int) -> Response:
    if not current_user.is_authenticated or actor().user_id != user_id:
        abort(403)  # the session that began linking is not this one any more
    try:
        linked = identities.link_identity(db(), provider, claims, actor())
    except SignInRefusedError as refused:
        return _link_refused(provider, refused)
    name = _title(provider)
    if linked:
        notice(_("You can now sign in with %(provider)s.", provider=name), "success")
    else:
        notice(_("%(provider)s was already linked to your account.", provider=name), "info")
    return redirect(url_for("auth.sign_in_methods"))


def _link_refused(provider: OidcProvider, refused: SignInRefusedError) -> Response:
    identities.record_refusal(platform(), provider.name, refused.refusal, detail=refused.detail)
    notice(refusal_message(_title(provider), refused.refusal), "warning")
    return redirect(url_for("auth.sign_in_methods"))


@auth.route("/account/sign-in-methods/<provider>/unlink", methods=["POST"])
@signed_in
def unlink_provider(provider: str) -> Response:
    chosen = _configured().get(provider)
    try:
        identities.unlink_identity(db(), actor(), provider)
    except LookupError:
        abort(404)
    except SignInRefusedError as refused:
        notice(refusal_message(_title(chosen) if chosen else provider, refused.refusal), "warning")
        return redirect(url_for("auth.sign_in_methods"))
    name = _title(chosen) if chosen is not None else provider
    notice(_("%(provider)s no longer signs in to your account.", provider=name), "success")
    return redirect(url_for("auth.sign_in_methods"))
