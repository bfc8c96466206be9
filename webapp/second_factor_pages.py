"""The second factor's pages: the code challenge after a password, enrolment (QR code as inline SVG, no JavaScript),
recovery codes shown once, and /account/second-factor to renew codes or turn the factor off.

Code checks run in a transaction of their own (engine `second_factor.verify`), so a used code and the count of wrong
ones are kept even when the page answers 4xx; a signed-in page first ends its request's read (see `_check_code`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from engine.services.admin import accounts, second_factor, sign_in
from engine.services.admin.second_factor import Enrolment, Method, NotEnrolledError, WrongCodeError
from engine.services.context import Actor
from webapp.auth import PASSED_KEY, PENDING_KEY, finish_sign_in, pending_sign_in
from webapp.citizen.common import login_url, notice, signed_in
from webapp.i18n import too_many_attempts
from webapp.requests import actor, db, platform

second_factor_pages = Blueprint("second_factor", __name__)

ROLE_NAMES = {
    "citizen": lazy_gettext("citizen"),
    "official": lazy_gettext("official"),
    "analyst": lazy_gettext("analyst"),
    "admin": lazy_gettext("administrator"),
}


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        lazy_gettext("Code"),
        validators=[
            DataRequired(message=lazy_gettext("Enter the code from your authenticator app")),
            Length(max=40, message=lazy_gettext("Enter the code from your authenticator app")),
        ],
    )


class RecoveryCodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        lazy_gettext("Recovery code"),
        validators=[
            DataRequired(message=lazy_gettext("Enter one of your recovery codes")),
            Length(max=40, message=lazy_gettext("Enter one of your recovery codes")),
        ],
    )


# --- After the password -----------------------------------------------------------------------------------------


@second_factor_pages.route("/login/second-factor", methods=["GET", "POST"])
def challenge() -> Response | tuple[str, int]:
    pending = pending_sign_in("challenge")
    if pending is None:
        return _no_pending()
    recovery = request.values.get("recovery") == "1"
    form = RecoveryCodeForm() if recovery else CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            method = second_factor.verify(platform(), int(pending["user_id"]), form.code.data)
        except NotEnrolledError:  # an administrator removed it meanwhile: the password alone decides again
            session.pop(PENDING_KEY, None)
            return redirect(url_for("auth.login"))
        except WrongCodeError:
            form.code.errors.append(_wrong_code(recovery))
            status = 400
        except sign_in.TooManyAttemptsError as exc:
            form.code.errors.append(too_many_attempts(exc.minutes))
            status = 429
        else:
            return _begin_session(pending, method)
    elif request.method == "POST":
        status = 400
    return render_template("pages/second_factor/challenge.html", form=form, recovery=recovery), status


def _no_pending() -> Response | tuple[str, int]:
    held = session.get(PENDING_KEY)
    if isinstance(held, dict) and held.get("step") in ("challenge", "enrol") and pending_sign_in(held["step"]):
        return redirect(url_for(f"second_factor.{held['step']}"))  # held for the other step
    if held is not None:  # held, but for too long
        session.pop(PENDING_KEY, None)
        return render_template("pages/second_factor/expired.html"), 400
    if current_user.is_authenticated:
        return redirect(url_for("citizen.index"))
    return redirect(url_for("auth.login"))


def _begin_session(pending: dict[str, Any], method: Method) -> Response:
    """The code was right: the session begins, if the account is as it was when the password was given."""
    user = accounts.load_user(db(), int(pending["user_id"]))
    if user is None or user.security_stamp != pending.get("stamp"):
        session.pop(PENDING_KEY, None)
        return redirect(url_for("auth.login"))
    sign_in.record_signed_in(db(), user, method=f"{pending['method']}+{method.value}")
    reply = finish_sign_in(Actor.of(user), str(pending.get("target") or ""))
    session[PASSED_KEY] = True
    if method is Method.RECOVERY_CODE:
        left = second_factor.status_of(db(), user.id).recovery_codes_left
        notice(
            ngettext(
                "You used a recovery code; it will not work again. %(num)d recovery code is left.",
                "You used a recovery code; it will not work again. %(num)d recovery codes are left.",
                left,
            ),
            "warning",
        )
    return reply


# --- Enrolment ----------------------------------------------------------------------------------------------------


@second_factor_pages.route("/account/second-factor/enrol", methods=["GET", "POST"])
def enrol() -> Response | tuple[str, int]:
    pending = pending_sign_in("enrol") if not current_user.is_authenticated else None
    if current_user.is_authenticated:
        user_id = actor().user_id or 0
    elif pending is not None:
        user_id = int(pending["user_id"])
    elif PENDING_KEY in session:
        return _no_pending()
    else:
        return redirect(login_url())
    if second_factor.is_enabled(db(), user_id):
        return redirect(url_for("second_factor.manage")) if pending is None else _no_pending()
    form = CodeForm()
    status = 200
    enrolment = second_factor.pending_enrolment(db(), user_id)
    if request.method == "POST":
        if enrolment is None:
            return redirect(url_for("second_factor.enrol"))
        status = 400
        if form.validate_on_submit():
            try:
                codes = second_factor.confirm_enrolment(db(), user_id, form.code.data)
            except (WrongCodeError, NotEnrolledError):
                form.code.errors.append(_("The code is not right. Enter the code your app shows now."))
            else:
                return _enrolled(user_id, pending, codes)
    if enrolment is None:
        enrolment = second_factor.begin_enrolment(platform(), user_id)
    return render_template(
        "pages/second_factor/enrol.html",
        form=form,
        enrolment=enrolment,
        qr_code=_qr_code(enrolment),
        pending=pending,
        role_name=ROLE_NAMES.get(str(pending.get("role", "")), "") if pending else "",
        required=pending is not None,
    ), status


def _enrolled(user_id: int, pending: dict[str, Any] | None, codes: list[str]) -> Response | tuple[str, int]:
    target = url_for("second_factor.manage")
    if pending is not None:  # enrolling was the last step of signing in
        user = accounts.load_user(db(), user_id)
        if user is None or user.security_stamp != pending.get("stamp"):
            session.pop(PENDING_KEY, None)
            return redirect(url_for("auth.login"))
        sign_in.record_signed_in(db(), user, method=f"{pending['method']}+totp")
        target = str(pending.get("target") or url_for("citizen.index"))
        finish_sign_in(Actor.of(user), target)
    session[PASSED_KEY] = True
    return _show_codes(codes, continue_to=target, first=True)


def _qr_code(enrolment: Enrolment) -> Markup:
    svg: str = segno.make(enrolment.uri, error="m", micro=False).svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code"
    )
    return Markup(svg)  # noqa: S704 -- made by segno: shapes only, no text from the request


def _show_codes(codes: list[str], *, continue_to: str, first: bool) -> tuple[str, int]:
    text = _("Posluhy recovery codes") + "\n\n" + "\n".join(codes) + "\n"
    return render_template(
        "pages/second_factor/recovery_codes.html",
        codes=codes,
        download="data:text/plain;charset=utf-8," + quote(text),
        continue_to=continue_to,
        first=first,
    ), 200


# --- Managing it --------------------------------------------------------------------------------------------------


@second_factor_pages.route("/account/second-factor")
@signed_in
def manage() -> str:
    return _manage_page(renew=CodeForm(prefix="renew"), disable=CodeForm(prefix="disable"))[0]


def _manage_page(*, renew: CodeForm, disable: CodeForm, status: int = 200) -> tuple[str, int]:
    me = actor()
    return render_template(
        "pages/second_factor/manage.html",
        status=second_factor.status_of(db(), me.user_id or 0),
        required=second_factor.required_for(me.role, platform().settings.second_factor_roles),
        renew=renew,
        disable=disable,
    ), status


@second_factor_pages.route("/account/second-factor/recovery-codes", methods=["POST"])
@signed_in
def recovery_codes() -> Response | tuple[str, int]:
    user_id = actor().user_id or 0
    if not second_factor.is_enabled(db(), user_id):
        return redirect(url_for("second_factor.manage"))
    form = CodeForm(prefix="renew")
    refused = _check_code(form, user_id, purpose="renew_recovery_codes")
    if refused:
        return _manage_page(renew=form, disable=CodeForm(prefix="disable", formdata=None), status=refused)
    codes = second_factor.renew_recovery_codes(db(), user_id)
    return _show_codes(codes, continue_to=url_for("second_factor.manage"), first=False)


@second_factor_pages.route("/account/second-factor/disable", methods=["POST"])
@signed_in
def disable() -> Response | tuple[str, int]:
    me = actor()
    user_id = me.user_id or 0
    if not second_factor.is_enabled(db(), user_id):
        return redirect(url_for("second_factor.manage"))
    if second_factor.required_for(me.role, platform().settings.second_factor_roles):
        renew = CodeForm(prefix="renew", formdata=None)
        return _manage_page(renew=renew, disable=CodeForm(prefix="disable"), status=403)
    form = CodeForm(prefix="disable")
    refused = _check_code(form, user_id, purpose="disable")
    if refused:
        return _manage_page(renew=CodeForm(prefix="renew", formdata=None), disable=form, status=refused)
    second_factor.disable(db(), user_id)
    notice(_("The second factor is off. You sign in with your password only."), "success")
    return redirect(url_for("second_factor.manage"))


def _check_code(form: CodeForm, user_id: int, *, purpose: str) -> int:
    """0 when the form carries a current code (or an unused recovery code); else the status, the error on the form."""
    if not form.validate_on_submit():
        return 400
    db().rollback()  # nothing written yet: end the request's transaction so the check can take the writer lock
    try:
        second_factor.verify(platform(), user_id, form.code.data, purpose=purpose)
    except (WrongCodeError, NotEnrolledError):
        form.code.errors.append(_wrong_code(recovery=False))
        return 400
    except sign_in.TooManyAttemptsError as exc:
        form.code.errors.append(too_many_attempts(exc.minutes))
        return 429
    return 0


def _wrong_code(recovery: bool) -> str:
    if recovery:
        return str(_("This recovery code is not right or has already been used."))
    return str(_("The code is not right, or it was already used. Enter the code your app shows now."))


# --- Everywhere ---------------------------------------------------------------------------------------------------


@second_factor_pages.before_app_request
def require_second_factor() -> Response | None:
    """A session begun without a second factor ends when the person's role requires one (the setting was turned on
    after it began): they sign in again, and enrol or give a code before any page opens."""
    required_roles = platform().settings.second_factor_roles
    if not required_roles or request.blueprint in ("api", "second_factor"):
        return None
    if request.endpoint in ("static", "auth.login", "auth.logout"):
        return None
    if not current_user.is_authenticated or session.get(PASSED_KEY):
        return None
    if not second_factor.required_for(current_user.role, required_roles):
        return None
    logout_user()
    session.clear()
    return redirect(login_url())


@second_factor_pages.app_context_processor
def summary() -> dict[str, Any]:
    """`second_factor_summary()` for the /account page's partial (pages/account/_second_factor.html)."""

    def second_factor_summary() -> second_factor.FactorStatus:
        return second_factor.status_of(db(), actor().user_id or 0)

    return {"second_factor_summary": second_factor_summary}
