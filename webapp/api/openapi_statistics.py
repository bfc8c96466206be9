"""The OpenAPI description of GET /statistics and its schemas."""

from __future__ import annotations

from typing import Any

from webapp.api.openapi_parts import NULLABLE_STRING, STRING, obj, operation, ref, reply

COUNT = {
    "oneOf": [{"type": "integer", "minimum": 0}, {"const": "< 5"}],
    "description": 'A count; from 1 to 4 it is published as "< 5"',
}
SUPPRESSIBLE_NUMBER = {"type": ["number", "null"], "description": "null when fewer than 5 cases are behind it"}
FIGURES = {
    "received": COUNT,
    "decided": COUNT,
    "median_days": {
        **SUPPRESSIBLE_NUMBER,
        "description": "Median processing time in working days; " + "null when fewer than 5 cases were decided",
    },
    "p90_days": {
        "type": ["integer", "null"],
        "description": "90 % of the decided cases took at most this many "
        "working days; null when fewer than 5 were decided",
    },
    "within_deadline_share": {
        **SUPPRESSIBLE_NUMBER,
        "description": "Share (0–1) of the decided cases of services "
        "with a deadline that were decided within it; null below 5 such cases",
    },
    "outcomes": {"type": "array", "items": obj({"name": STRING, "cases": COUNT}, ["name", "cases"])},
    "rating_count": COUNT,
    "rating_mean": {**SUPPRESSIBLE_NUMBER, "description": "Mean rating 1–5; null below 5 ratings"},
}
REQUIRED = list(FIGURES)

STATISTICS_SCHEMAS: dict[str, Any] = {
    "StatisticsFigures": obj(FIGURES, REQUIRED),
    "Statistics": obj(
        {
            "period": obj({"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}),
            "organisation": NULLABLE_STRING,
            "service": NULLABLE_STRING,
            "total": ref("StatisticsFigures"),
            "months": {
                "type": "array",
                "items": obj({"month": STRING, "received": COUNT, "decided": COUNT}, ["month", "received", "decided"]),
            },
            "organisations": {
                "type": "array",
                "description": "Each organisation with cases at or below it; its figures include those below it",
                "items": obj(
                    {"slug": STRING, "name": STRING, "name_en": STRING, "depth": {"type": "integer"}, **FIGURES},
                    ["slug", "name", "depth", *REQUIRED],
                ),
            },
            "services": {
                "type": "array",
                "items": obj(
                    {"process_id": STRING, "title": STRING, "title_en": STRING, **FIGURES},
                    ["process_id", "title", *REQUIRED],
                ),
            },
        },
        ["period", "total", "months", "organisations", "services"],
    ),
}

DATE_PARAMETER = {"in": "query", "schema": {"type": "string", "format": "date"}}

STATISTICS_PATHS: dict[str, Any] = {
    "/statistics": {
        "get": operation(
            "Public statistics: received, decided, processing time, deadlines, outcomes and ratings (no token needed)",
            {"200": reply("The figures of the period and filters", ref("Statistics"))},
            errors=("400", "404"),
            parameters=[
                {**DATE_PARAMETER, "name": "from", "description": "First day (Kyiv); default: 11 months ago, 1st"},
                {**DATE_PARAMETER, "name": "to", "description": "Last day (Kyiv), at most 3 years on; default: today"},
                {
                    "name": "organisation",
                    "in": "query",
                    "schema": STRING,
                    "description": "Organisation slug: it and every organisation below it (404 when unknown)",
                },
                {"name": "service", "in": "query", "schema": STRING, "description": "Service (process id)"},
            ],
            public=True,
            tag="statistics",
        )
    }
}
