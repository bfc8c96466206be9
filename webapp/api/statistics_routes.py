"""GET /api/v1/statistics: the public statistics page's figures as JSON (no token needed)."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _

from engine.services.statistics.aggregate import kyiv_day
from engine.services.statistics.figures import UnknownOrganisationError, statistics_report
from webapp.api import api
from webapp.api.errors import api_error
from webapp.requests import db, platform
from webapp.statistics_query import parse_filters, report_json


@api.get("/statistics")
def statistics() -> Response | tuple[Response, int]:
    filters, errors = parse_filters(request.args, kyiv_day(platform().clock.now()))
    if errors:
        return api_error(400, "; ".join(f"{name}: {message}" for name, message in errors.items()))
    try:
        report = statistics_report(
            db(), start=filters.start, end=filters.end, organisation=filters.organisation, service=filters.service
        )
    except UnknownOrganisationError:
        return api_error(404, _("No organisation has this code."))
    return jsonify(report_json(report))
