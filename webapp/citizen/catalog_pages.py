"""Home page, the service catalog with filters, search and pages, and one service's page.

A page number past the last page (or one that is not a whole number from 1) is a 404: the address names no
page of results, as with any other unknown address. Page 1 always exists, even when nothing matches.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import lazy_gettext

from engine.services.catalog.listing import (
    CatalogFilters,
    CatalogPage,
    categories,
    count_services,
    filter_choices,
    search_services,
    service_page,
)
from webapp.citizen import citizen
from webapp.citizen.common import locale
from webapp.requests import db

PER_PAGE = 20
MAX_QUERY = 200

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


def page_numbers(current: int, pages: int) -> list[int | None]:
    """GOV.UK pagination: the first and last pages, the current one and its neighbours; None marks skipped pages."""
    shown = sorted({1, pages, *(n for n in (current - 1, current, current + 1) if 1 <= n <= pages)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) == 2:
            numbers.append(number - 1)  # a single skipped page is shown rather than an ellipsis
        elif numbers and number - (numbers[-1] or 0) > 2:
            numbers.append(None)
        numbers.append(number)
    return numbers


def requested_page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        abort(404)
    return int(raw)


def catalog_filters() -> CatalogFilters:
    availability = request.args.get("availability", "")
    return CatalogFilters(
        query=request.args.get("q", "").strip()[:MAX_QUERY],
        category=request.args.get("category", ""),
        organisation=request.args.get("organisation", ""),
        region=request.args.get("region", ""),
        availability=availability if availability in AVAILABILITY else "",
    )


def page_url(filters: CatalogFilters, page: int) -> str:
    """The catalog address of a page with the same filters (empty ones left out)."""
    args: dict[str, Any] = {
        "q": filters.query,
        "category": filters.category,
        "organisation": filters.organisation,
        "region": filters.region,
        "availability": filters.availability,
    }
    args = {key: value for key, value in args.items() if value}
    if page > 1:
        args["page"] = page
    return url_for("citizen.catalog", **args)


@citizen.route("/")
def index() -> str:
    return render_template(
        "pages/citizen/index.html",
        service_count=count_services(db()),
        categories=categories(db()),
    )


@citizen.route("/services")
def catalog() -> str:
    filters = catalog_filters()
    found: CatalogPage = search_services(db(), filters, page=requested_page(), per_page=PER_PAGE)
    choices = filter_choices(db())
    if not found.exists:
        abort(404)
    return render_template(
        "pages/citizen/catalog.html",
        found=found,
        services=found.services,
        filters=filters,
        categories=categories(db()),
        organisations=choices.organisations,
        regions=choices.regions,
        availabilities=[(key, str(label)) for key, (label, _css) in AVAILABILITY.items()],
        page_numbers=page_numbers(found.page, found.pages),
        page_url=lambda page: page_url(filters, page),
        locale=locale(),
    )


@citizen.route("/services/<service_id>")
def service(service_id: str) -> str:
    summary, contacts = service_page(db(), service_id)
    return render_template("pages/citizen/service.html", service=summary, contacts=contacts, locale=locale())
