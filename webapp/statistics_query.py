"""The statistics' filters as GET parameters (shared by the page, its CSV and the API) and the figures as CSV/JSON."""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.services.statistics.figures import Figures, Report
from engine.spreadsheets import safe_cell

LONGEST = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    organisation: str | None
    service: str | None


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1), today


def parse_filters(args: MultiDict[str, str], today: date) -> tuple[Filters, dict[str, str]]:
    """The filters, and the problems by parameter name (`from`, `to`): a problem falls back to the default."""
    default_start, default_end = default_period(today)
    errors: dict[str, str] = {}
    start = _date(args.get("from"), default_start, "from", errors)
    end = _date(args.get("to"), default_end, "to", errors)
    if not errors and end < start:
        errors["to"] = _("The end of the period must be the same as or after its start")
    elif not errors and end - start > LONGEST:
        errors["to"] = _("Choose a period of at most 3 years")
    if errors:
        start, end = default_start, default_end
    return (
        Filters(
            start, end, (args.get("organisation") or "").strip() or None, (args.get("service") or "").strip() or None
        ),
        errors,
    )


def _choice(raw: str | None) -> str | None:
    return (raw or "").strip() or None


def _date(raw: str | None, default: date, name: str, errors: dict[str, str]) -> date:
    if raw is None or not raw.strip():
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = _("Enter a real date, like 2026-01-31")
        return default


CSV_COLUMNS = (
    "kind",
    "key",
    "name",
    "received",
    "decided",
    "median_working_days",
    "p90_working_days",
    "decided_within_deadline_share",
    "rating_count",
    "rating_mean",
)


def _figure_cells(figures: Figures) -> list[Any]:
    return [
        figures.received,
        figures.decided,
        figures.median_days,
        figures.p90_days,
        figures.within_deadline_share,
        figures.rating_count,
        figures.rating_mean,
    ]


def report_csv(report: Report) -> str:
    """One row for the whole selection, each organisation, each service, each month and each outcome."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        ["total", "", f"{report.start.isoformat()}..{report.end.isoformat()}", *_figure_cells(report.total)]
    )
    for org in report.organisations:
        writer.writerow(["organisation", org.slug, safe_cell(org.name), *_figure_cells(org.figures)])
    for service in report.services:
        writer.writerow(["service", service.process_id, safe_cell(service.title), *_figure_cells(service.figures)])
    for month in report.months:
        writer.writerow(["month", month.month, month.month, month.received, month.decided, "", "", "", "", ""])
    for outcome in report.total.outcomes:
        writer.writerow(["outcome", "", safe_cell(outcome.name), "", outcome.cases, "", "", "", "", ""])
    return out.getvalue()


def figures_json(figures: Figures) -> dict[str, Any]:
    return {**dataclasses.asdict(figures), "outcomes": [dataclasses.asdict(o) for o in figures.outcomes]}


def report_json(report: Report) -> dict[str, Any]:
    return {
        "period": {"from": report.start.isoformat(), "to": report.end.isoformat()},
        "organisation": report.organisation,
        "service": report.service,
        "total": figures_json(report.total),
        "months": [dataclasses.asdict(m) for m in report.months],
        "organisations": [
            {"slug": o.slug, "name": o.name, "name_en": o.name_en, "depth": o.depth, **figures_json(o.figures)}
            for o in report.organisations
        ],
        "services": [
            {"process_id": s.process_id, "title": s.title, "title_en": s.title_en, **figures_json(s.figures)}
            for s in report.services
        ],
    }
