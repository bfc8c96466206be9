"""One version: its problems, diagram, steps and catalog properties; the modeler; saving, publishing, retiring."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.studio import drafts, forms
from engine.services.studio.drafts import StudioVersion
from webapp.requests import actor, db, platform
from webapp.studio import studio
from webapp.studio.navigation import back_or

PROPERTY_KEYS = ("title", "title_en", "description", "description_en", "category", "organisation", "sla_days")
AVAILABILITY = ("online", "soon", "in_work")


def _version_url(version: StudioVersion) -> str:
    return url_for("studio.version", service_id=version.service_id, number=version.number)


def saved_draft(version: StudioVersion) -> Response:
    flash(_("Saved as draft version %(number)s.", number=version.number), "success")
    return redirect(_version_url(version))


@studio.get("/services/<service_id>/versions/<int:number>")
def version(service_id: str, number: int) -> str:
    found = drafts.get_version(db(), actor(), service_id, number)
    form_keys = [d.key for d in forms.list_form_documents(db(), actor(), forms_dir=platform().settings.forms_dir)]
    return render_template(
        "pages/studio/version.html",
        version=found,
        form_keys=form_keys,
        availability_values=AVAILABILITY,
        property_keys=PROPERTY_KEYS,
    )


@studio.get("/services/<service_id>/versions/<int:number>/diagram.bpmn")
def version_xml(service_id: str, number: int) -> FlaskResponse:
    found = drafts.get_version(db(), actor(), service_id, number)
    # A download, never a page: the diagram's XML is analysts' text, and browsers run scripts in XHTML.
    headers = {"Content-Disposition": f'attachment; filename="{found.service_id}-v{found.number}.bpmn"'}
    return FlaskResponse(found.xml, mimetype="application/xml", headers=headers)


@studio.get("/services/<service_id>/versions/<int:number>/modeler")
def modeler(service_id: str, number: int) -> str:
    return render_template("pages/studio/modeler.html", version=drafts.get_version(db(), actor(), service_id, number))


@studio.post("/services/<service_id>/drafts")
def save_draft(service_id: str) -> Response | tuple[str, int]:
    xml = request.form.get("xml", "")
    if not xml.strip():
        flash(_("The diagram was empty, so nothing was saved."), "warning")
        return redirect(back_or(url_for("studio.index")))
    try:
        saved = drafts.save_draft(db(), actor(), service_id, xml)
    except ValueError as exc:
        flash(_("The diagram was not saved: %(reason)s", reason=str(exc)), "warning")
        return redirect(url_for("studio.index"))
    return saved_draft(saved)


@studio.post("/services/<service_id>/versions/<int:number>/steps/<element_id>")
def update_step(service_id: str, number: int, element_id: str) -> Response:
    form_key = request.form.get("form_key", "").strip() or None
    saved = drafts.update_step(
        db(),
        actor(),
        service_id,
        number,
        element_id,
        name=request.form.get("name", "").strip(),
        form_key=form_key,
        candidate_groups=request.form.get("candidate_groups", "").strip(),
        assignee=request.form.get("assignee", "").strip(),
    )
    return saved_draft(saved)


@studio.post("/services/<service_id>/versions/<int:number>/properties")
def update_properties(service_id: str, number: int) -> Response:
    props = {key: request.form.get(key, "").strip() for key in PROPERTY_KEYS}
    availability = request.form.get("availability", "online")
    props["availability"] = availability if availability in AVAILABILITY else "online"
    return saved_draft(drafts.update_process_properties(db(), actor(), service_id, number, props))


@studio.post("/services/<service_id>/versions/<int:number>/publish")
def publish(service_id: str, number: int) -> Response:
    done = drafts.publish(db(), actor(), service_id, number)
    flash(_("Version %(number)s is published; citizens now see it in the catalog.", number=done.number), "success")
    return redirect(_version_url(done))


@studio.post("/services/<service_id>/versions/<int:number>/retire")
def retire(service_id: str, number: int) -> Response:
    done = drafts.retire(db(), actor(), service_id, number)
    flash(_("Version %(number)s is retired. Applications already running on it carry on.", number=done.number), "info")
    return redirect(_version_url(done))
