"""The public statistics against cases with known times, outcomes and ratings made through the engine with the fake
clock: the worker's daily counts, the page, its CSV and the API agree; small counts are suppressed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.models import StatisticsDay
from engine.services.context import Platform
from engine.services.statistics.aggregate import count_range, kyiv_day
from engine.worker import run_once

from .cases import MONDAY, decided_case, rate

#: Working days each case took; decisions of the family certificate (deadline 5 working days), outcome by index.
DURATIONS = (0, 1, 2, 3, 4, 6, 8)
REFUSED = {5, 6}
SCORES = (5, 4, 4, 3, 5)
NOVEMBER = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def known_cases(platform: Platform, clock: FakeClock) -> list[str]:
    """Seven cases submitted on the mornings of 2–6 November, five of them rated; the days counted like a rebuild."""
    references = []
    for index, took in enumerate(DURATIONS):
        submitted = MONDAY + timedelta(days=index % 5, minutes=index)
        name = "refused" if index in REFUSED else "issued"
        references.append(decided_case(platform, clock, submitted_at=submitted, working_days=took, name=name))
    for reference, score in zip(references, SCORES, strict=False):
        rate(platform, reference, score)
    with unit_of_work(platform.write_sessions) as db:
        count_range(db, kyiv_day(MONDAY), kyiv_day(MONDAY) + timedelta(days=40))
    return references


def test_the_figures_are_exact_from_the_summed_daily_histograms(app, known_cases, anonymous):
    figures = anonymous.client.get(f"/api/v1/statistics?{NOVEMBER}").get_json()
    total = figures["total"]
    assert total["received"] == 7 and total["decided"] == 7
    assert total["median_days"] == 3  # 0 1 2 [3] 4 6 8
    assert total["p90_days"] == 8  # the 7th of 7 (nearest rank: ceil(0.9 × 7))
    assert total["within_deadline_share"] == round(5 / 7, 4)  # 6 and 8 working days are past the 5 of the service
    assert total["rating_count"] == 5 and total["rating_mean"] == 4.2
    outcomes = {o["name"]: o["cases"] for o in total["outcomes"]}
    assert outcomes == {"Довідку видано": 5, "Відмовлено у видачі довідки": "< 5"}
    assert figures["months"] == [{"month": "2026-11", "received": 7, "decided": 7}]
    # Along the tree: the council's cases count for it and for every organisation above it, none for the others.
    organisations = {o["slug"]: (o["depth"], o["decided"]) for o in figures["organisations"]}
    assert organisations == {"poltava-oda": (0, 7), "lubny-district": (1, 7), "lubny-council": (2, 7)}
    assert [s["process_id"] for s in figures["services"]] == ["family_composition_certificate"]

    lubny = anonymous.client.get(f"/api/v1/statistics?{NOVEMBER}&organisation=lubny-district").get_json()
    assert lubny["total"] == total
    myrhorod = anonymous.client.get(f"/api/v1/statistics?{NOVEMBER}&organisation=myrhorod-council").get_json()
    assert myrhorod["total"]["received"] == 0 and myrhorod["organisations"] == []


def test_small_counts_show_as_less_than_5_and_nothing_is_derived_from_them(app, known_cases, anonymous):
    # 2 and 3 November: the cases received on those days; decided ones there are fewer than 5.
    small = anonymous.client.get("/api/v1/statistics?from=2026-11-02&to=2026-11-03").get_json()["total"]
    assert small["received"] == "< 5" and small["decided"] == "< 5"
    assert small["median_days"] is None and small["p90_days"] is None and small["within_deadline_share"] is None
    assert small["outcomes"] == [] and small["rating_mean"] is None and small["rating_count"] == "< 5"

    page = anonymous.page("/statistics?from=2026-11-02&to=2026-11-03")
    assert "&lt; 5" in page and "not shown: fewer than 5 cases" in page
    assert "Довідку видано" not in page  # no outcomes of fewer than 5 decisions


def test_the_page_draws_accessible_charts_with_tables_and_the_csv_has_the_same_figures(app, known_cases, anonymous):
    page = anonymous.page(f"/statistics?{NOVEMBER}")
    assert page.count('role="img"') == 2
    assert '<title id="chart-months-title">Applications received and decided per month</title>' in page
    assert 'aria-labelledby="chart-months-title chart-months-desc"' in page
    assert "<caption" in page and '<th scope="row">2026-11</th>' in page
    assert "3 working days" in page and "8 working days" in page and "71 %" in page and "4.2" in page
    assert "style=" not in page and "<script" not in page

    reply = anonymous.client.get(f"/statistics.csv?{NOVEMBER}")
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    total = rows[0]
    assert total["kind"] == "total" and total["received"] == "7" and total["median_working_days"] == "3.0"
    assert total["p90_working_days"] == "8" and total["rating_mean"] == "4.2" and total["rating_count"] == "5"
    assert {r["name"]: r["decided"] for r in rows if r["kind"] == "outcome"} == {
        "Довідку видано": "5",
        "Відмовлено у видачі довідки": "< 5",
    }
    text = reply.get_data(as_text=True)
    assert "Шевченко" not in text and "citizen" not in text  # no personal data


def test_the_worker_counts_today_and_yesterday_and_the_days_of_new_ratings(platform, clock: FakeClock, app, anonymous):
    first = decided_case(platform, clock, submitted_at=MONDAY, working_days=1)  # decided Tuesday 3 November
    clock.set(MONDAY + timedelta(days=9))  # Wednesday 11 November
    run_once(platform)
    with unit_of_work(platform.read_sessions) as db:
        assert db.query(StatisticsDay).count() == 0  # 3 November is neither today nor yesterday
    rate(platform, first, 2)  # … but a rating given today makes its decision day count again
    run_once(platform)
    clock.advance(timedelta(minutes=15))
    run_once(platform)
    with unit_of_work(platform.read_sessions) as db:
        rows = [(r.day.isoformat(), r.decided, r.rating_count, r.rating_sum) for r in db.query(StatisticsDay).all()]
    assert rows == [("2026-11-03", 1, 1, 2)]
    run_once(platform)  # the same quarter hour again: nothing more is queued, and counting twice changes nothing
    with unit_of_work(platform.read_sessions) as db:
        assert db.query(StatisticsDay).count() == 1


def test_bad_filters_are_refused(app, known_cases, anonymous):
    assert anonymous.client.get("/api/v1/statistics?from=2026-13-01").status_code == 400
    assert anonymous.client.get("/api/v1/statistics?from=2026-11-30&to=2026-11-01").status_code == 400
    assert anonymous.client.get("/api/v1/statistics?organisation=nowhere").status_code == 404
    page = anonymous.get("/statistics?from=yesterday")
    assert page.status_code == 400 and "Enter a real date, like 2026-01-31" in page.get_data(as_text=True)
    assert anonymous.get("/statistics?organisation=nowhere").status_code == 404
    assert anonymous.get("/statistics.csv?to=soon").status_code == 400


def test_pages_and_api_read_only_the_statistics_tables(platform: Platform, app, known_cases, anonymous):
    from sqlalchemy import event

    seen: list[str] = []

    def remember(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement.lower())

    event.listen(platform.engine, "before_cursor_execute", remember)
    try:
        for url in (f"/statistics?{NOVEMBER}", f"/statistics.csv?{NOVEMBER}", f"/api/v1/statistics?{NOVEMBER}"):
            assert anonymous.client.get(url).status_code == 200
    finally:
        event.remove(platform.engine, "before_cursor_execute", remember)
    assert seen
    touched = [s for s in seen if " application" in s or "case_rating" in s or "audit_event" in s]
    assert touched == []
