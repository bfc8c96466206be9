"""The token endpoint's second step: an account with a second factor sends `totp` (or `recovery_code`) beside the
password, or is refused 401 with a machine-readable `code`; throttled and audited like the sign-in page's codes."""

from __future__ import annotations

from typing import Any, Final

from flask import Response, jsonify
from flask_babel import gettext as _

from engine.services.admin import accounts, second_factor, sign_in
from engine.services.admin.second_factor import NotEnrolledError, WrongCodeError
from webapp.api.errors import api_error, locked
from webapp.requests import db, platform

REQUIRED: Final = "second_factor_required"
INVALID: Final = "second_factor_invalid"
ENROLMENT_REQUIRED: Final = "second_factor_enrolment_required"
CODES = (REQUIRED, INVALID, ENROLMENT_REQUIRED)


def second_factor_refusal(user_id: int, body: dict[str, Any]) -> tuple[Response, int] | None:
    """None when the password is enough, or the code sent is right; otherwise the JSON refusal.

    Call it right after `sign_in.verify_password`, before the request's own session is used: the code is checked
    in a transaction of its own (a used code and wrong attempts are kept although the answer is 4xx)."""
    code = body.get("totp", body.get("recovery_code"))
    if code is not None and not isinstance(code, str):
        return api_error(400, _("Send totp (or recovery_code) as a string."))
    enrolled = True
    if code:
        try:
            second_factor.verify(platform(), user_id, code, purpose="api_token")
        except NotEnrolledError:
            enrolled = False
        except WrongCodeError:
            return _refused(INVALID, _("The second-factor code is not right or was already used."))
        except sign_in.TooManyAttemptsError as exc:
            return locked(exc.minutes)
        else:
            return None
    else:
        enrolled = second_factor.is_enabled(db(), user_id)
        if enrolled:
            return _refused(REQUIRED, _("This account has a second factor: send the code from the app as totp."))
    user = accounts.load_user(db(), user_id)
    required_roles = platform().settings.second_factor_roles
    if user is not None and not enrolled and second_factor.required_for(user.role, required_roles):
        return _refused(
            ENROLMENT_REQUIRED, _("This account must set up a second factor: sign in on the website first.")
        )
    return None


def _refused(code: str, message: str) -> tuple[Response, int]:
    response = jsonify({"error": message, "code": code})
    response.headers["WWW-Authenticate"] = 'Bearer realm="posluhy"'
    return response, 401
