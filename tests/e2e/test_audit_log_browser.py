"""In headless Chromium, without JavaScript: an administrator finds sign-ins in the audit log, pages and filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import open_page


@pytest.mark.needs("chromium")
def test_an_administrator_filters_the_audit_log_without_javascript(chromium: Path, live_server: str) -> None:
    with open_page(chromium, live_server, username="admin", javascript=False) as page:
        page.goto("/admin/?lang=en")
        page.click("text=Audit log")
        assert page.locator("h1").inner_text() == "Audit log"
        page.fill("input[name=action]", "auth")
        page.fill("input[name=actor]", "admin")
        page.click("form[role=search] button[type=submit]")
        assert "action=auth" in page.url
        rows = page.locator("table tbody tr")
        assert rows.count() >= 1
        assert all(text == "auth.signed_in" for text in rows.locator("td:nth-child(3)").all_inner_texts())
        assert page.locator("text=Download these").count() == 1

        page.fill("input[name=since]", "2026-02-01")  # a date field: the browser sends YYYY-MM-DD
        page.fill("input[name=until]", "2026-01-01")
        page.click("form[role=search] button[type=submit]")
        summary = page.locator(".error-summary")
        assert "The last day must be the same as or after the first day" in summary.inner_text()
        summary.locator("a").first.click()
        assert page.url.endswith("#field-until")
