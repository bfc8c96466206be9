"""Forgotten passwords: a reset link by e-mail (the same answer whether or not an account exists), then a new
password through it."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.admin import recovery
from engine.services.admin.links import LinkError
from engine.services.admin.registration import PasswordRefusedError
from webapp.account.forms import PASSWORD_HINT, NewPasswordForm, ResetRequestForm, first_errors, password_message
from webapp.account.links import link_problem
from webapp.account_pages import account, sent
from webapp.citizen.common import notice
from webapp.requests import db, platform


@account.route("/password/forgot", methods=["GET", "POST"])
def reset_request() -> Response | tuple[str, int]:
    form = ResetRequestForm(request.form if request.method == "POST" else None, login=request.args.get("login", ""))
    if form.validate_on_submit():
        recovery.request_reset(db(), platform(), form.login.data)
        return sent("reset", form.login.data)
    errors = first_errors(form)
    return render_template("pages/account/reset_request.html", form=form, errors=errors), (400 if errors else 200)


@account.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | tuple[str, int]:
    try:
        user = recovery.read_reset(db(), platform(), token)
    except LinkError as error:
        return link_problem(error, purpose="reset")
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.reset_password(db(), platform(), token, form.password.data)
        except PasswordRefusedError as refused:
            form.password.errors.append(password_message(refused.problem))
        except LinkError as error:  # used by a request that finished in between
            return link_problem(error, purpose="reset")
        else:
            notice(_("Your password has been changed. Sign in with your new password."), "success")
            return redirect(url_for("auth.login"))
    errors = first_errors(form)
    return render_template(
        "pages/account/reset_password.html",
        form=form,
        errors=errors,
        token=token,
        username=user.username,
        password_hint=PASSWORD_HINT,
    ), (400 if errors else 200)
