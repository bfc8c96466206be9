"""The public statistics page (no sign-in) and its CSV: figures read from the daily statistics tables only."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from engine.services.statistics.aggregate import kyiv_day
from engine.services.statistics.figures import Report, UnknownOrganisationError, statistics_report
from webapp.citizen import citizen
from webapp.citizen.charts import Series, bar_chart
from webapp.requests import db, platform
from webapp.statistics_query import Filters, parse_filters, report_csv


def _report(filters: Filters) -> Report:
    try:
        return statistics_report(
            db(), start=filters.start, end=filters.end, organisation=filters.organisation, service=filters.service
        )
    except UnknownOrganisationError:
        abort(404)


@citizen.route("/statistics")
def statistics() -> tuple[str, int]:
    filters, errors = parse_filters(request.args, kyiv_day(platform().clock.now()))
    report = _report(filters)
    months = [m.month for m in report.months]
    chart = bar_chart(
        "chart-months",
        _("Applications received and decided per month"),
        _("Bars per month: applications received and applications decided. The table below gives the same figures."),
        months,
        [
            Series(_("Received"), "chart__bar--received", [m.received for m in report.months]),
            Series(_("Decided"), "chart__bar--decided", [m.decided for m in report.months]),
        ],
    )
    outcomes_chart = bar_chart(
        "chart-outcomes",
        _("Decisions by outcome"),
        _("One bar per outcome, numbered as in the table below, which gives the same figures."),
        [str(number) for number, _o in enumerate(report.total.outcomes, start=1)],
        [Series(_("Decided"), "chart__bar--decided", [o.cases for o in report.total.outcomes])],
    )
    html = render_template(
        "pages/citizen/statistics.html",
        report=report,
        filters=filters,
        raw=request.args,
        errors=errors,
        chart=chart,
        outcomes_chart=outcomes_chart,
    )
    return html, 400 if errors else 200


@citizen.route("/statistics.csv")
def statistics_csv() -> Response:
    filters, errors = parse_filters(request.args, kyiv_day(platform().clock.now()))
    if errors:
        abort(400)
    response = Response(report_csv(_report(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="statistics-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"'
    )
    return response
