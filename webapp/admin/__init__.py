"""Administrators' pages under /admin: incidents, escalation rules and the working-day calendar."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.services.errors import ForbiddenError, NotFoundError
from webapp.requests import actor

admin = Blueprint("admin", __name__)


@admin.before_request
def admins_only() -> Response | None:
    if not current_user.is_authenticated:
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target))
    if not actor().is_admin:
        abort(403)
    return None


@admin.errorhandler(NotFoundError)
def not_found(_exc: NotFoundError) -> tuple[str, int]:
    return render_template("errors/404.html"), 404


@admin.errorhandler(ForbiddenError)
def forbidden(_exc: ForbiddenError) -> tuple[str, int]:
    return render_template("errors/403.html"), 403


@admin.get("/")
def index() -> str:
    endpoints = current_app.view_functions
    return render_template(
        "pages/admin/index.html",
        has_escalations="admin.escalations" in endpoints,
        has_calendar="admin.calendar" in endpoints,
        has_people="admin.people" in endpoints,
        has_groups="admin.groups" in endpoints,
        has_organisations="admin.organisations" in endpoints,
        has_directory="admin.directory_export" in endpoints,
        has_cases="admin.cases" in endpoints,
        has_audit="admin.audit" in endpoints,
    )


# The sections register their routes on the blueprint above.
from webapp.admin import (  # noqa: E402, F401
    audit_pages,
    calendar,
    cases_pages,
    directory_pages,
    escalations,
    groups,
    incidents,
    organisations,
    people,
)
