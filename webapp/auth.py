"""Sign in and out with local accounts; the session carries only the user id.

Every way of proving who one is (a password, an identity provider) asks `second_factor_step` whether the session
may begin now; when the account has a second factor, or its role requires one, the sign-in is held in the signed
session cookie (`PENDING_KEY`: whose, since when, where to) and continues on the second-factor pages.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from engine.services.admin import accounts, second_factor, sign_in
from engine.services.context import Actor
from webapp.account.sign_in_check import unverified_page
from webapp.extensions import login_manager
from webapp.i18n import too_many_attempts
from webapp.requests import db, platform

auth = Blueprint("auth", __name__)


class SessionUser(UserMixin):  # type: ignore[misc]
    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.id = actor.user_id

    @property
    def role(self) -> str:
        return self.actor.role


@login_manager.user_loader  # type: ignore[untyped-decorator]
def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    found = accounts.load_actor(db(), int(user_id), platform().caches)
    if found is None or session.get(STAMP_KEY, "") != found.security_stamp:
        return None  # deactivated, or signed out everywhere since this session began
    return SessionUser(found)


STAMP_KEY = "stamp"
PASSED_KEY = "second_factor"
"""Set in a session begun with a second factor (roles that require one are sent to sign in again without it)."""
PENDING_KEY = "pending_sign_in"
CHALLENGE_LIFETIME: Final = timedelta(minutes=5)
"""How long after the password the second-factor code may be given."""
ENROL_LIFETIME: Final = timedelta(minutes=15)
"""How long after the password someone who must enrol may take to set up the app (installing one takes a while)."""


def finish_sign_in(actor: Actor, target: str | None) -> Response:
    """Begin the session of someone who proved who they are (a password, an identity provider, a second factor)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[STAMP_KEY] = actor.security_stamp
    login_user(SessionUser(actor))
    return redirect(safe_next(target))


def second_factor_step(actor: Actor, target: str | None, *, method: str) -> Response | None:
    """After a password or an identity provider: None when the session may begin now; otherwise the sign-in is
    held (see PENDING_KEY) and the answer sends the person to the code challenge, or to enrol first when their role
    requires a second factor they do not have yet."""
    if actor.user_id is None:
        return None
    if second_factor.is_enabled(db(), actor.user_id):
        step = "challenge"
    elif second_factor.required_for(actor.role, platform().settings.second_factor_roles):
        step = "enrol"
    else:
        return None
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING_KEY] = {
        "user_id": actor.user_id,
        "stamp": actor.security_stamp,
        "at": platform().clock.now().isoformat(),
        "target": safe_next(target),
        "method": method,
        "step": step,
        "role": actor.role,
    }
    return redirect(url_for(f"second_factor.{step}"))


def pending_sign_in(step: str) -> dict[str, Any] | None:
    """The held sign-in waiting for `step` ("challenge" or "enrol"), unless it has expired."""
    found = session.get(PENDING_KEY)
    if not isinstance(found, dict) or found.get("step") != step:
        return None
    lifetime = CHALLENGE_LIFETIME if step == "challenge" else ENROL_LIFETIME
    try:
        expired = platform().clock.now() - datetime.fromisoformat(str(found["at"])) > lifetime
    except (KeyError, ValueError):
        expired = True
    return None if expired else found


def safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot be used to send people elsewhere."""
    if not target:
        return url_for("citizen.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("citizen.index")
    return target


@auth.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    error = None
    status = 400
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        try:
            user_id = sign_in.verify_password(platform(), username, password) if username and password else None
        except sign_in.TooManyAttemptsError as exc:
            error = too_many_attempts(exc.minutes)
            status = 429
            user_id = None
        except sign_in.EmailUnverifiedError as exc:
            return unverified_page(exc.email)
        user = accounts.load_user(db(), user_id) if user_id is not None else None
        if user is None:
            error = error or _("Enter a correct username and password")
        else:
            held = second_factor_step(Actor.of(user), request.form.get("next"), method="password")
            if held is not None:
                return held
            sign_in.record_signed_in(db(), user, method="password")
            return finish_sign_in(Actor.of(user), request.form.get("next"))
    return render_template(
        "pages/auth/login.html", error=error, username=username, next=request.args.get("next", "")
    ), (200 if error is None else status)


@auth.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    return redirect(url_for("citizen.index"))
