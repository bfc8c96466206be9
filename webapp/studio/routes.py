"""Registers the studio pages: only analysts and administrators; everyone else is refused or asked to sign in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.services.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    VersionHasErrorsError,
    VersionNotDraftError,
)
from webapp.requests import actor, db
from webapp.studio import (  # noqa: F401  (routes register on the blueprint)
    form_pages,
    migration_pages,
    service_pages,
    step_form_pages,
    studio,
    testrun_pages,
    version_pages,
)
from webapp.studio.navigation import back_or

STUDIO_ROLES = frozenset({"analyst", "admin"})
# bpmn-js sets style attributes on the SVG it draws, which `style-src 'self'` would block; studio pages only.
STUDIO_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "frame-ancestors 'none'"
)


@studio.before_request
def analysts_only() -> Response | None:
    if not current_user.is_authenticated:
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target))
    if actor().role not in STUDIO_ROLES:
        abort(403)
    return None


@studio.after_request
def studio_csp(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = STUDIO_CSP
    return response


@studio.errorhandler(NotFoundError)
def not_found(_exc: NotFoundError) -> tuple[str, int]:
    return render_template("errors/404.html"), 404


@studio.errorhandler(ForbiddenError)
def forbidden(_exc: ForbiddenError) -> tuple[str, int]:
    return render_template("errors/403.html"), 403


@studio.errorhandler(ConflictError)
def conflict(exc: ConflictError) -> Response:
    """A version that changed status meanwhile (published twice, retired…): explain, change nothing."""
    db().rollback()
    if isinstance(exc, VersionNotDraftError):
        flash(_("Nothing was changed: only drafts can be published, only published versions retired."), "warning")
    elif isinstance(exc, VersionHasErrorsError):
        flash(_("Nothing was changed: this version has errors, so it cannot be published."), "warning")
    else:
        flash(_("Nothing was changed: the version changed meanwhile."), "warning")
    return redirect(back_or(url_for("studio.index")))
