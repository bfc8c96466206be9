"""Incidents: what failed, where and why; retry, skip with a reason, or cancel the application."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.background import incidents, recovery
from engine.services.errors import ConflictError
from webapp.admin import admin
from webapp.requests import actor, db, platform

STATUS_FILTERS = ("open", "resolved", "skipped", "all")


@admin.get("/incidents")
def incident_list() -> str:
    status = request.args.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    found = incidents.list_incidents(db(), actor(), status=None if status == "all" else status)
    return render_template("pages/admin/incidents.html", incidents=found, status=status, filters=STATUS_FILTERS)


@admin.get("/incidents/<int:incident_id>")
def incident(incident_id: int) -> str:
    return _detail(incident_id)


def _detail(incident_id: int, errors: dict[str, str] | None = None, values: dict[str, str] | None = None) -> str:
    found = incidents.get_incident(db(), actor(), incident_id)
    return render_template("pages/admin/incident.html", incident=found, errors=errors or {}, values=values or {})


@admin.post("/incidents/<int:incident_id>/retry")
def retry(incident_id: int) -> Response:
    try:
        recovery.retry_incident(db(), platform(), actor(), incident_id)
    except ConflictError:
        flash(_("This incident was already dealt with."), "warning")
        return redirect(url_for("admin.incident", incident_id=incident_id))
    flash(_("The failed step will run again."), "success")
    return redirect(url_for("admin.incident_list"))


@admin.post("/incidents/<int:incident_id>/skip")
def skip(incident_id: int) -> Response | tuple[str, int]:
    reason = request.form.get("skip_reason", "").strip()
    if not reason:
        errors = {"skip_reason": _("Enter why the step is skipped")}
        return _detail(incident_id, errors, {"skip_reason": reason}), 422
    try:
        recovery.skip_incident(db(), platform(), actor(), incident_id, reason)
    except ConflictError:
        flash(_("This incident was already dealt with."), "warning")
        return redirect(url_for("admin.incident", incident_id=incident_id))
    flash(_("The step was skipped and the application continues."), "success")
    return redirect(url_for("admin.incident_list"))


@admin.post("/incidents/<int:incident_id>/cancel")
def cancel(incident_id: int) -> Response | tuple[str, int]:
    found = incidents.get_incident(db(), actor(), incident_id)
    reason = request.form.get("cancel_reason", "").strip()
    if not reason:
        errors = {"cancel_reason": _("Enter why the application is cancelled")}
        return _detail(incident_id, errors, {"cancel_reason": reason}), 422
    if found.reference is None:
        flash(_("This incident has no application to cancel."), "warning")
        return redirect(url_for("admin.incident", incident_id=incident_id))
    try:
        recovery.cancel_application(db(), platform(), actor(), found.reference, reason)
    except ConflictError:
        flash(_("The application is already closed."), "warning")
        return redirect(url_for("admin.incident", incident_id=incident_id))
    flash(_("Application %(reference)s was cancelled.", reference=found.reference), "success")
    return redirect(url_for("admin.incident_list"))
