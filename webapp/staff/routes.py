"""Registers the officials' pages: only officials and administrators, everyone else is refused or asked to sign in."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.services.errors import ForbiddenError, NotFoundError
from webapp.requests import actor
from webapp.staff import (  # noqa: F401  (routes register on the blueprint)
    cases_pages,
    handover_pages,
    queue_pages,
    staff,
    task_pages,
)
from webapp.staff.history import history_text


@staff.before_request
def officials_only() -> Response | None:
    if not current_user.is_authenticated:
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target))
    if not actor().is_staff:
        abort(403)
    return None


@staff.context_processor
def staff_helpers() -> dict[str, object]:
    return {"history_text": history_text}


@staff.errorhandler(NotFoundError)
def not_found(_exc: NotFoundError) -> tuple[str, int]:
    return render_template("errors/404.html"), 404


@staff.errorhandler(ForbiddenError)
def forbidden(_exc: ForbiddenError) -> tuple[str, int]:
    return render_template("errors/403.html"), 403
