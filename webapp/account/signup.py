"""Sign-up for citizens, the confirmation of their e-mail address, and a new confirmation link on request."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.services.admin import registration
from engine.services.admin.links import LinkError, LinkUsedError
from engine.services.admin.registration import PasswordRefusedError, SignUp
from engine.services.context import Actor
from webapp.account.forms import PASSWORD_HINT, EmailForm, RegisterForm, first_errors, password_message
from webapp.account.links import link_problem
from webapp.account_pages import account, sent
from webapp.auth import finish_sign_in
from webapp.citizen.common import notice
from webapp.i18n import current_locale
from webapp.requests import db, platform


@account.route("/register", methods=["GET", "POST"])
def register() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("account.overview"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            registration.sign_up(
                db(),
                platform(),
                SignUp(
                    full_name=form.full_name.data,
                    email=form.email.data,
                    password=form.password.data,
                    locale=current_locale(),
                ),
            )
        except PasswordRefusedError as refused:
            form.password.errors.append(password_message(refused.problem))
        else:
            return sent("verify", form.email.data)
    errors = first_errors(form)
    return render_template("pages/account/register.html", form=form, errors=errors, password_hint=PASSWORD_HINT), (
        400 if errors else 200
    )


@account.route("/account/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> Response | tuple[str, int]:
    """GET only shows the button: mail scanners that open links do not use them up; POST confirms."""
    try:
        if request.method == "GET":
            user = registration.read_verification(db(), platform(), token)
            return render_template("pages/account/verify_email.html", email=user.email, token=token), 200
        user = registration.verify_email(db(), platform(), token)
    except LinkError as error:
        if isinstance(error, LinkUsedError) and current_user.is_authenticated and request.method == "POST":
            return redirect(url_for("account.overview"))  # the button pressed twice: confirmed already
        return link_problem(error, purpose="verify")
    reply = finish_sign_in(Actor.of(user), url_for("account.overview")) if user.active else None
    notice(_("Thank you: your email address %(email)s is confirmed.", email=user.email), "success")
    return reply or redirect(url_for("auth.login"))


@account.route("/account/verify/resend", methods=["GET", "POST"])
def resend_verification() -> Response | tuple[str, int]:
    form = EmailForm(request.form if request.method == "POST" else None, email=request.args.get("email", ""))
    if form.validate_on_submit():
        registration.resend_verification(db(), platform(), form.email.data)
        return sent("verify", form.email.data)
    errors = first_errors(form)
    return render_template("pages/account/resend_verification.html", form=form, errors=errors), (400 if errors else 200)
