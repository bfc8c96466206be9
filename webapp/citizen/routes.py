"""Registers the citizen pages and maps engine errors to what a citizen should see."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.errors import ConflictError, ForbiddenError, NotFoundError
from webapp.citizen import (  # noqa: F401  (routes)
    application_pages,
    apply_pages,
    catalog_pages,
    check_pages,
    citizen,
    rating_pages,
    statistics_pages,
)
from webapp.citizen.common import notice, status_tag
from webapp.requests import db


@citizen.context_processor
def citizen_helpers() -> dict[str, object]:
    return {"status_tag": status_tag}


@citizen.errorhandler(NotFoundError)
def not_found(_exc: NotFoundError) -> tuple[str, int]:
    return render_template("errors/404.html"), 404


@citizen.errorhandler(ForbiddenError)
def forbidden(_exc: ForbiddenError) -> tuple[str, int]:
    return render_template("errors/403.html"), 403


@citizen.errorhandler(ConflictError)
def conflict(_exc: ConflictError) -> Response:
    """Someone (often the same person, clicking twice) got there first: explain, change nothing."""
    db().rollback()
    notice(_("This form has already been sent, or the application changed meanwhile. Nothing was changed."), "info")
    reference = (request.view_args or {}).get("reference")
    if reference:
        return redirect(url_for("citizen.application", reference=reference))
    return redirect(url_for("citizen.my_applications"))
