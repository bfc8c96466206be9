"""In headless Chromium without JavaScript: the public statistics page shows its figures, draws the charts as
images with a name and a table beside each, and filters by organisation through the plain GET form."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.services.context import Platform
from engine.services.statistics.demo import create_demo_cases

from .conftest import open_page


@pytest.mark.needs("chromium")
def test_the_statistics_page_works_without_javascript(
    chromium: Path, live_server: str, platform: Platform, tmp_path: Path
) -> None:
    report = create_demo_cases(platform, count=40, months=4)
    assert report.created > 30
    with open_page(chromium, live_server, javascript=False, viewport=(1200, 900)) as page:
        page.goto("/?lang=en")
        page.click("text=Public service statistics")
        assert page.title().startswith("Public service statistics")
        charts = page.get_by_role("img", name="Applications received and decided per month")
        assert charts.count() == 1 and charts.is_visible()
        assert page.get_by_role("img", name="Decisions by outcome").is_visible()
        months = page.locator("table:has(caption:has-text('received and decided per month')) tbody tr")
        assert months.count() >= 4
        totals = page.inner_text("#totals")
        assert "working days" in totals and "ratings:" in totals
        page.screenshot(path=str(tmp_path / "statistics.png"), full_page=True)

        page.select_option("#organisation", "myrhorod-council")
        page.click("button:has-text('Show figures')")
        page.wait_for_url("**organisation=myrhorod-council**")
        rows = page.locator("table:has(caption:has-text('Each organisation')) tbody th").all_inner_texts()
        assert rows == ["Myrhorod City Council"]
        services = page.locator("table:has(caption:has-text('Each service')) tbody th").all_inner_texts()
        assert services and all("Lubny" not in s for s in services)
        assert "myrhorod-council" in (page.get_attribute("a:has-text('Download these figures')", "href") or "")
