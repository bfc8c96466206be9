"""`posluhy demo-cases`: completed, rated applications over past months through the engine, counted at once, so the
statistics page of `make run` shows figures; run again, it adds nothing."""

from __future__ import annotations

from engine.clock import FakeClock
from engine.services.context import Platform
from engine.services.statistics.demo import create_demo_cases


def test_demo_cases_fill_the_statistics_once(platform: Platform, clock: FakeClock, anonymous) -> None:
    report = create_demo_cases(platform, count=20, months=3)
    assert report.created >= 15 and 0 < report.rated <= report.created
    assert platform.clock is clock  # the platform's clock is given back

    figures = anonymous.client.get("/api/v1/statistics?from=2026-07-01&to=2026-11-02").get_json()["total"]
    assert figures["decided"] == report.created and figures["median_days"] is not None
    assert figures["rating_mean"] is not None

    assert create_demo_cases(platform, count=20, months=3).created == 0
