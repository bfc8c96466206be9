"""Home page, the service catalog with filters and search, and one service's page."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext

from engine.services.catalog.listing import CatalogFilters, categories, get_service, list_services, organisations
from webapp.citizen import citizen
from webapp.citizen.common import locale
from webapp.requests import db

AVAILABILITY = {
    "online": (lazy_gettext("Online"), "tag--green"),
    "soon": (lazy_gettext("Coming soon"), "tag--yellow"),
    "in_work": (lazy_gettext("In development"), "tag--grey"),
}


def availability_tag(value: str) -> tuple[str, str]:
    label, css = AVAILABILITY.get(value, (value, "tag--grey"))
    return str(label), css


@citizen.app_context_processor
def catalog_helpers() -> dict[str, object]:
    return {"availability_tag": availability_tag}


@citizen.route("/")
def index() -> str:
    services = list_services(db())
    return render_template(
        "pages/citizen/index.html",
        service_count=len(services),
        categories=categories(db()),
    )


@citizen.route("/services")
def catalog() -> str:
    filters = CatalogFilters(
        query=request.args.get("q", "").strip()[:200],
        category=request.args.get("category", ""),
        organisation=request.args.get("organisation", ""),
        availability=request.args.get("availability", "") if request.args.get("availability") in AVAILABILITY else "",
    )
    return render_template(
        "pages/citizen/catalog.html",
        services=list_services(db(), filters),
        filters=filters,
        categories=categories(db()),
        organisations=organisations(db()),
        availabilities=[(key, str(label)) for key, (label, _css) in AVAILABILITY.items()],
        locale=locale(),
    )


@citizen.route("/services/<service_id>")
def service(service_id: str) -> str:
    summary, _manifest = get_service(db(), service_id)
    return render_template("pages/citizen/service.html", service=summary, locale=locale())
