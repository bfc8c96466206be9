"""The studio's front page (services and their versions), the new-service form and the diff between versions."""

from __future__ import annotations

import re

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.errors import NotFoundError
from engine.services.studio import diff, drafts
from engine.services.studio.drafts import ServiceExistsError
from webapp.requests import actor, db
from webapp.studio import studio

PROCESS_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{1,62}")


@studio.get("/")
def index() -> str:
    return render_template("pages/studio/index.html", services=drafts.list_studio_services(db(), actor()))


@studio.route("/services/new", methods=["GET", "POST"])
def new_service() -> Response | tuple[str, int]:
    values = {"process_id": "", "title": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in values}
        if not PROCESS_ID_RE.fullmatch(values["process_id"]):
            errors["process_id"] = _("Enter an identifier of 2 to 63 letters, digits, _ or -, starting with a letter")
        if not values["title"]:
            errors["title"] = _("Enter the service title")
        if not errors:
            try:
                created = drafts.create_service(db(), actor(), process_id=values["process_id"], title=values["title"])
            except ServiceExistsError:
                db().rollback()
                errors["process_id"] = _("A service with this identifier exists already")
            except ValueError as exc:
                errors["process_id"] = str(exc)
            else:
                return redirect(url_for("studio.version", service_id=created.service_id, number=created.number))
    page = render_template("pages/studio/new_service.html", values=values, errors=errors)
    return page, 400 if errors else 200


@studio.get("/services/<service_id>/diff")
def version_diff(service_id: str) -> str:
    services = {s.id: s for s in drafts.list_studio_services(db(), actor())}
    service = services.get(service_id)
    if service is None:
        raise NotFoundError(service_id)
    numbers = [v.number for v in service.versions]
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    if a is None or b is None:
        b = numbers[0] if numbers else None
        a = numbers[1] if len(numbers) > 1 else b
    result = diff.diff_versions(db(), actor(), service_id, a, b) if a is not None and b is not None else None
    return render_template("pages/studio/diff.html", service=service, a=a, b=b, numbers=numbers, diff=result)
