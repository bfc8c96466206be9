"""The sign-in page for a self-registered account whose e-mail address is not verified yet (after the right
password only: `sign_in.EmailUnverifiedError`)."""

from __future__ import annotations

from flask import render_template, request


def unverified_page(email: str) -> tuple[str, int]:
    """The sign-in page saying the address is not verified, with a button that sends the link again."""
    page = render_template(
        "pages/auth/login.html",
        error=None,
        unverified_email=email,
        username=request.form.get("username", ""),
        next=request.form.get("next", ""),
    )
    return page, 403
