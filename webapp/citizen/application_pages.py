"""Following an application: my applications, one application, the public status page, downloads."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.references import normalise_reference
from engine.services.cases.applications import get_application, list_my_applications, public_status
from engine.services.cases.attachments import download_attachment
from engine.services.cases.views import HistoryItem
from engine.services.console import comments
from engine.services.errors import NotFoundError
from engine.services.ratings import rating_of_case
from webapp.citizen import citizen
from webapp.citizen.common import applicant_task, signed_in
from webapp.paging import history_page
from webapp.requests import actor, db, platform


@citizen.route("/my/applications")
@signed_in
def my_applications() -> str:
    return render_template("pages/citizen/my_applications.html", applications=list_my_applications(db(), actor()))


@citizen.route("/my/applications/<reference>")
@signed_in
def application(reference: str) -> str:
    view = get_application(db(), actor(), reference, history_page=history_page())
    return render_template(
        "pages/citizen/application.html",
        application=view,
        todo=applicant_task(view),
        history=timeline(view.history or []),
        rating=rating_of_case(db(), platform(), actor(), view.reference),
        messages=comments.citizen_messages(db(), actor(), view.reference),
    )


def timeline(history: list[HistoryItem]) -> list[tuple[HistoryItem, str]]:
    """Each event in plain words; the start form's own completion is the same moment as the submission."""
    start_steps = {h.step for h in history if h.event == "application.submitted"}
    lines = []
    for item in history:
        if item.event == "task.completed" and item.step in start_steps:
            continue
        lines.append((item, describe(item)))
    return lines


def describe(item: HistoryItem) -> str:
    return str(_describe(item))


def _describe(item: HistoryItem) -> object:
    if item.event == "application.created":
        return _("Application started")
    if item.event == "application.submitted":
        return _("Application submitted")
    if item.event == "task.claimed":
        return _("An official started work on the step “%(step)s”", step=item.title)
    if item.event == "task.completed":
        if item.by == "applicant":
            return _("Applicant completed the step “%(step)s”", step=item.title)
        return _("An official completed the step “%(step)s”", step=item.title)
    if item.event == "application.returned":
        return _("Returned to the applicant for corrections")
    if item.event == "application.completed":
        return _("Completed: %(outcome)s", outcome=item.title)
    if item.event == "application.error":
        return _("A technical problem stopped the application")
    return item.title or item.event


@citizen.route("/status")
def status_lookup() -> str | Response | tuple[str, int]:
    typed = request.args.get("reference")
    if typed is None:
        return render_template("pages/citizen/status_lookup.html", reference="", error=None)
    reference = normalise_reference(typed)
    if reference is None:
        error = _("Enter a reference number like 12345-67890")
    else:
        try:
            public_status(db(), reference)
        except NotFoundError:
            error = _("No submitted application has this reference number. Check it and try again.")
        else:
            return redirect(url_for("citizen.public_status", reference=reference))
    return render_template("pages/citizen/status_lookup.html", reference=typed, error=error), 400


@citizen.route("/status/<reference>", endpoint="public_status")
def public_status_page(reference: str) -> str:
    view = public_status(db(), reference, history_page=history_page())
    return render_template("pages/citizen/public_status.html", application=view, history=timeline(view.history or []))


@citizen.route("/attachments/<attachment_id>")
@signed_in
def attachment(attachment_id: str) -> Response:
    found = download_attachment(db(), actor(), attachment_id, upload_dir=platform().settings.upload_dir)
    if not found.path.is_file():
        abort(404)
    response = send_file(
        found.path,
        mimetype=download_type(found.content_type),
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


#: Types an uploader may claim that a browser never runs as a page or script of this site; others become bytes.
SAFE_DOWNLOAD_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/tiff",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/pkcs7-signature",
    }
)


def download_type(claimed: str) -> str:
    """The uploader's content type only when it is harmless (never HTML, SVG, XML or script)."""
    base = claimed.split(";", 1)[0].strip().lower()
    return base if base in SAFE_DOWNLOAD_TYPES else "application/octet-stream"
