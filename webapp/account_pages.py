"""Local accounts (blueprint `account`): the account overview, password change and sign-out everywhere here;
sign-up and verification (webapp/account/signup.py), password reset (webapp/account/reset.py) and staff
invitations (webapp/account/invitation.py) beside it. Every page works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user
from werkzeug.wrappers import Response

from engine.services.admin import recovery
from engine.services.admin.registration import PasswordRefusedError
from webapp.account.forms import ChangePasswordForm, first_errors, password_message
from webapp.auth import STAMP_KEY
from webapp.citizen.common import notice, signed_in
from webapp.requests import actor, db, platform

account = Blueprint("account", __name__)
SENT_TO = "account_sent_to"
"""In the session: the address the last "check your email" page speaks of."""


@account.route("/account")
@signed_in
def overview() -> str:
    me = actor()
    return render_template(
        "pages/account/overview.html",
        me=me,
        details=recovery.account_details(db(), me),
    )


@account.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    ask_current = recovery.needs_current_password(db(), actor())
    if form.validate_on_submit():
        if ask_current and not form.current.data:
            form.current.errors.append(_("Enter your current password"))
        else:
            try:
                user = recovery.change_password(
                    db(), platform(), actor(), current=form.current.data or "", new=form.password.data
                )
            except recovery.WrongPasswordError:
                form.current.errors.append(_("Your current password is not right"))
            except PasswordRefusedError as refused:
                form.password.errors.append(password_message(refused.problem))
            else:
                session[STAMP_KEY] = user.security_stamp  # this session stays signed in; every other one ends
                notice(_("Password changed. You are still signed in here, and signed out everywhere else."), "success")
                return redirect(url_for("account.overview"))
    errors = first_errors(form)
    status = 400 if errors else 200
    return render_template(
        "pages/account/change_password.html", form=form, errors=errors, ask_current=ask_current
    ), status


@account.route("/account/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere() -> Response:
    recovery.sign_out_everywhere(db(), actor())
    logout_user()
    session.clear()
    notice(
        _("You have been signed out everywhere: on every device and in every app. Sign in again to go on."), "success"
    )
    return redirect(url_for("auth.login"))


@account.route("/account/check-email")
def check_email() -> str:
    """Where sign-up, resend and reset requests end (after a redirect): the same words whatever happened."""
    held = session.get(SENT_TO)
    purpose, address = (str(held[0]), str(held[1])) if isinstance(held, list) and len(held) == 2 else ("", "")
    return render_template("pages/account/check_email.html", purpose=purpose, address=address)


def sent(purpose: str, address: str) -> Response:
    session[SENT_TO] = [purpose, address]
    return redirect(url_for("account.check_email"))


from webapp.account import invitation, reset, signup  # noqa: E402, F401 - their routes join the blueprint
