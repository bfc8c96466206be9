"""In headless Chromium: an administrator adds a ЦНАП office under a hromada council, is told which field is wrong
first, and the new office appears in the tree below its council; the citizen catalog filters along the tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import open_page


@pytest.fixture
def page(chromium: Path, live_server: str) -> Iterator[Any]:
    with open_page(chromium, live_server, username="admin", viewport=(1200, 900)) as page:
        yield page


@pytest.mark.needs("chromium")
def test_admin_adds_a_cnap_office_under_a_council(page: Any, tmp_path: Path) -> None:
    page.goto("/admin/")
    page.click("text=Organisations")
    page.click("a:has-text('Миргородська міська рада')")
    page.click("text=Add an organisation below Миргородська міська рада")
    page.fill("#name", "Віддалене робоче місце ЦНАП с. Велика Обухівка")
    page.fill("#slug", "obukhivka-cnap-office")
    page.select_option("#kind", "cnap")
    page.fill("#edrpou", "1234")
    page.click("button:has-text('Create the organisation')")
    assert page.title().startswith("Error: ")
    summary = page.locator(".error-summary")
    assert "Enter the ЄДРПОУ code as 8 digits" in summary.inner_text()
    assert page.input_value("#name") == "Віддалене робоче місце ЦНАП с. Велика Обухівка"  # kept
    page.fill("#edrpou", "")
    page.screenshot(path=str(tmp_path / "new-organisation.png"), full_page=True)
    page.click("button:has-text('Create the organisation')")
    page.wait_for_url("**/admin/organisations/*")
    assert "The organisation was created." in page.inner_text("main")
    assert "under Миргородська міська рада" in page.inner_text("main")

    page.goto("/admin/organisations")
    rows = page.locator("tbody tr").all_inner_texts()
    council = next(i for i, row in enumerate(rows) if row.startswith("Миргородська міська рада"))
    assert rows[council + 1].startswith("Віддалене робоче місце ЦНАП")  # the council's first child


@pytest.mark.needs("chromium")
def test_the_catalog_filter_offers_the_tree_without_javascript(chromium: Path, live_server: str) -> None:
    with open_page(chromium, live_server, javascript=False) as page:
        page.goto("/services?lang=en")
        page.select_option("#filter-organisation", "myrhorod-district")
        page.click("button:has-text('Apply filters')")
        titles = page.locator(".service-list__title").all_inner_texts()
        assert titles and "organisation=myrhorod-district" in page.url
        assert page.input_value("#filter-organisation") == "myrhorod-district"
        assert not any("Lubny" in t for t in titles)
