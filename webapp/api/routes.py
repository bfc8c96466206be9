"""API endpoints for signing in, the catalog, uploads and applications; task endpoints are in task_routes."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import Response, abort, jsonify, request, url_for
from flask_babel import gettext as _

from engine.services.admin import accounts, sign_in
from engine.services.cases import applications, attachments
from engine.services.catalog import listing
from webapp.api import api
from webapp.api.auth import load_api_actor, signed_in
from webapp.api.errors import api_error, locked, register_error_handlers, unauthorized
from webapp.api.openapi import openapi_document
from webapp.api.second_factor_check import second_factor_refusal
from webapp.api.serialize import application_json, history_json, history_page_json, service_json
from webapp.requests import db, platform

api.before_request(load_api_actor)
register_error_handlers(api)


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 400 JSON answer."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


@api.post("/auth/token")
def issue_token() -> tuple[Response, int]:
    body = json_object()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return api_error(400, _("Send a JSON object with username and password."))
    try:
        user_id = sign_in.verify_password(platform(), username, password)
    except sign_in.TooManyAttemptsError as exc:
        return locked(exc.minutes)
    except sign_in.EmailUnverifiedError:
        return unauthorized(_("Confirm your email address first: open the link we emailed you."))
    if user_id is not None and (refused := second_factor_refusal(user_id, body)) is not None:
        return refused
    user = accounts.load_user(db(), user_id) if user_id is not None else None
    if user is None:
        return unauthorized(_("Enter a correct username and password"))
    token = accounts.issue_token(db(), user, lifetime_hours=platform().settings.token_lifetime_hours)
    return jsonify({"token": token, "token_type": "Bearer", "username": user.username, "role": user.role}), 200


SERVICES_PER_PAGE = 50
MAX_SERVICES_PER_PAGE = 100


def _whole_number(name: str, default: int, *, most: int | None = None) -> int | None:
    """A query parameter that must be a whole number from 1 (at most `most`); None when it is not."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or (most is not None and int(raw) > most):
        return None
    return int(raw)


def _link_header(found: listing.CatalogPage) -> str:
    """RFC 8288 links to the first, previous, next and last pages, with the same filters and page size."""
    args: dict[str, Any] = request.args.to_dict()
    rels = {"first": 1, "prev": found.page - 1 if found.page > 1 else None}
    rels |= {"next": found.page + 1 if found.page < found.pages else None, "last": found.pages}
    return ", ".join(
        f'<{url_for("api.services", _external=True, **{**args, "page": page})}>; rel="{rel}"'
        for rel, page in rels.items()
        if page is not None
    )


@api.get("/services")
def services() -> Response | tuple[Response, int]:
    """A page of the catalog as a JSON array; X-Total-Count and Link (RFC 8288) headers give the rest."""
    page = _whole_number("page", 1)
    per_page = _whole_number("per_page", SERVICES_PER_PAGE, most=MAX_SERVICES_PER_PAGE)
    if page is None or per_page is None:
        message = _(
            "page and per_page must be whole numbers from 1; per_page at most %(most)d.", most=MAX_SERVICES_PER_PAGE
        )
        return api_error(400, message)
    availability = request.args.get("availability", "")
    if availability and availability not in listing.AVAILABILITIES:
        values = ", ".join(listing.AVAILABILITIES)
        return api_error(400, _("availability must be one of: %(values)s.", values=values))
    filters = listing.CatalogFilters(
        query=request.args.get("q", "").strip()[:200],
        category=request.args.get("category", ""),
        organisation=request.args.get("organisation", ""),
        region=request.args.get("region", ""),
        availability=availability,
    )
    found = listing.search_services(db(), filters, page=page, per_page=per_page)
    response = jsonify([service_json(s) for s in found.services])
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["Link"] = _link_header(found)
    return response


@api.post("/attachments")
def upload_attachment() -> tuple[Response, int]:
    actor = signed_in()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return api_error(400, _("Send the file as multipart/form-data in the field 'file'."))
    settings = platform().settings
    stored = attachments.store_upload(
        db(),
        actor,
        upload_dir=settings.upload_dir,
        limit=settings.max_upload_bytes,
        filename=upload.filename,
        content_type=upload.mimetype or "",
        stream=cast(BinaryIO, upload.stream),
    )
    body = {"id": stored.id, "filename": stored.filename, "content_type": stored.content_type, "size": stored.size}
    return jsonify(body), 201


@api.get("/applications")
def my_applications() -> Response:
    actor = signed_in()
    return jsonify([application_json(v, actor) for v in applications.list_my_applications(db(), actor)])


@api.post("/applications")
def start_application() -> tuple[Response, int]:
    actor = signed_in()
    service_id = json_object().get("service")
    if not isinstance(service_id, str) or not service_id:
        return api_error(422, None, errors={"service": _("Enter the id of a service from GET /services.")})
    view = applications.start_application(db(), platform(), actor, service_id)
    return jsonify(application_json(view, actor)), 201


@api.get("/applications/<reference>")
def application(reference: str) -> Response:
    actor = signed_in()
    return jsonify(application_json(applications.get_application(db(), actor, reference), actor))


@api.get("/applications/<reference>/history")
def application_history(reference: str) -> Response | tuple[Response, int]:
    """One page of the timeline (page 1 = the newest events, oldest first within the page)."""
    actor = signed_in()
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        return api_error(400, _("page must be a whole number from 1."))
    view = applications.get_application(db(), actor, reference, history_page=int(page))
    return jsonify({"history": [history_json(h) for h in view.history or []], **history_page_json(view)})


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


from webapp.api import task_routes  # noqa: E402,F401  (the task endpoints register on the same blueprint)
