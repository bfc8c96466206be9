"""Staff invitations: the person an administrator invited sets their first password through the mailed link."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.admin import recovery, sign_in
from engine.services.admin.links import LinkError
from engine.services.admin.registration import PasswordRefusedError
from engine.services.context import Actor
from webapp.account.forms import PASSWORD_HINT, NewPasswordForm, first_errors, password_message
from webapp.account.links import link_problem
from webapp.account_pages import account
from webapp.auth import finish_sign_in
from webapp.citizen.common import notice
from webapp.requests import db, platform


@account.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | tuple[str, int]:
    try:
        user = recovery.read_invitation(db(), platform(), token)
    except LinkError as error:
        return link_problem(error, purpose="invitation")
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = recovery.accept_invitation(db(), platform(), token, form.password.data)
        except PasswordRefusedError as refused:
            form.password.errors.append(password_message(refused.problem))
        except LinkError as error:
            return link_problem(error, purpose="invitation")
        else:
            if user.role in platform().settings.second_factor_roles:
                # the second factor is set up at sign-in: a link must not be a way round it
                notice(_("Your password is set. Sign in with it to set up your second factor."), "success")
                return redirect(url_for("auth.login"))
            sign_in.record_signed_in(db(), user, method="password")
            reply = finish_sign_in(Actor.of(user), url_for("account.overview"))
            notice(
                _(
                    "Welcome, %(name)s: your password is set and you are signed in.",
                    name=user.full_name or user.username,
                ),
                "success",
            )
            return reply
    errors = first_errors(form)
    return render_template(
        "pages/account/accept_invitation.html",
        form=form,
        errors=errors,
        token=token,
        full_name=user.full_name,
        username=user.username,
        password_hint=PASSWORD_HINT,
    ), (400 if errors else 200)
