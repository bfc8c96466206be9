"""The one check the password sign-in makes for local accounts: a self-registered account whose e-mail address is
not verified yet is refused — only after the right password, so the refusal tells nobody else anything."""

from __future__ import annotations

from flask import render_template, request

from engine.services.admin import registration
from webapp.requests import platform


def refuse_unverified(user_id: int | None) -> tuple[str, int] | None:
    """The sign-in page saying the address is not verified (with a resend button), or None to go on signing in.

    Runs before the request opens its own database session (the refusal is audited in a transaction of its own).
    """
    email = registration.refuse_unverified_sign_in(platform(), user_id) if user_id is not None else None
    if email is None:
        return None
    page = render_template(
        "pages/auth/login.html",
        error=None,
        unverified_email=email,
        username=request.form.get("username", ""),
        next=request.form.get("next", ""),
    )
    return page, 403
