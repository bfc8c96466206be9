"""In headless Chromium: the operator console's case page draws the case's diagram with the path taken and where
it stands highlighted, and an administrator suspends the case with a reason."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.cases.applications import start_application
from engine.services.cases.attachments import store_upload
from engine.services.cases.steps import complete_task
from engine.services.context import Actor, Platform
from engine.store import directory

from .conftest import open_page


def _apply(platform: Platform) -> str:
    """A submitted family composition certificate application, waiting for the ЦНАП's step."""
    scenario = PROJECT_ROOT / "processes" / "family_composition_certificate" / "scenarios" / "issued.json"
    answers = dict(json.loads(scenario.read_text("utf-8"))["steps"][0]["data"])
    with unit_of_work(platform.write_sessions) as db:
        user = directory.find_user(db, "citizen")
        assert user is not None
        citizen = Actor.of(user)
        scan = store_upload(
            db,
            citizen,
            upload_dir=platform.settings.upload_dir,
            limit=platform.settings.max_upload_bytes,
            filename="passport.pdf",
            content_type="application/pdf",
            stream=io.BytesIO(b"%PDF-1.4 passport"),
        )
        answers["passport_scan"] = scan.id
        view = start_application(db, platform, citizen, "family_composition_certificate")
        complete_task(db, platform, citizen, view.tasks[0].id, answers)
        return view.reference


@pytest.mark.needs("chromium")
def test_the_case_page_highlights_the_path_and_an_admin_suspends_the_case(
    chromium: Path, live_server: str, platform: Platform, tmp_path: Path
) -> None:
    reference = _apply(platform)
    with open_page(chromium, live_server, username="admin") as page:
        page.goto("/admin/")
        page.click("main a:has-text('Cases')")
        page.fill("#reference", reference)
        page.click("main button:has-text('Find')")
        page.click(f"#cases a:has-text('{reference}')")
        page.wait_for_selector("#diagram[data-ready='true']")
        diagram = page.locator("#diagram")
        assert "prepare_certificate" in (diagram.get_attribute("data-current") or "").split()
        assert (diagram.get_attribute("data-done") or "").strip()  # the start event and what followed it
        assert page.locator("#diagram .djs-element.case-current").count() >= 1
        assert page.locator("#diagram .djs-element.case-done").count() >= 1
        page.screenshot(path=str(tmp_path / "case.png"), full_page=True)

        page.click("#suspend-form button[type=submit]")  # no reason: refused, the field says why
        assert "Enter the reason" in page.locator(".error-summary").inner_text()
        page.fill("#suspend-reason", "Waiting for the court's decision")
        page.click("#suspend-form button[type=submit]")
        page.wait_for_selector("#case-status[data-status='suspended']")
        assert "The case was suspended" in page.inner_text("main")
        assert page.locator("#resume-form").count() == 1
        assert "Waiting for the court's decision" in page.locator("#audit").inner_text()


@pytest.mark.needs("chromium")
def test_the_case_page_says_the_same_without_javascript(chromium: Path, live_server: str, platform: Platform) -> None:
    reference = _apply(platform)
    with open_page(chromium, live_server, username="lubny.cnap", javascript=False) as page:
        page.goto(f"/staff/cases/{reference}")
        assert "prepare_certificate" in page.locator("#current-elements").inner_text()
        assert page.locator("#done-elements li").count() >= 1
        assert "Підготовка довідки" in page.locator("#steps").inner_text()
