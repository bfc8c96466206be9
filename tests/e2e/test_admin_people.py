"""In headless Chromium: an administrator creates an official in a group, the invitation arrives by e-mail (a real
SMTP server), and the administrator deactivates the official again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.config import Settings
from engine.services.context import Platform
from engine.worker import run_once
from tests.local_servers import Mailbox

from .conftest import open_page


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


@pytest.fixture
def page(chromium: Path, live_server: str) -> Iterator[Any]:
    with open_page(chromium, live_server, username="admin", viewport=(1200, 900)) as page:
        yield page


@pytest.mark.needs("chromium")
def test_admin_creates_an_official_who_is_invited_and_then_deactivated(
    page: Any,
    platform: Platform,
    mailbox: Mailbox,
    tmp_path: Path,
) -> None:
    page.goto("/admin/")
    page.click("text=People")
    page.click("text=Add a person")
    page.fill("#username", "poltava.social2")
    page.fill("#full_name", "Ольга Мороз")
    page.fill("#email", "olha@poltava.example.org")
    page.select_option("#role", "official")
    page.select_option("#locale", "uk")
    page.click("label:has-text('Департамент соціального захисту населення')")
    page.screenshot(path=str(tmp_path / "new-person.png"), full_page=True)
    page.click("button:has-text('Create the account')")
    page.wait_for_url("**/admin/people/*")
    assert "The account was created and the invitation was sent to olha@poltava.example.org." in page.inner_text("main")
    assert page.is_checked("label:has-text('Департамент соціального захисту населення') >> xpath=../input")

    run_once(platform, worker_id="e2e")
    (mail,) = mailbox.to("olha@poltava.example.org")
    assert mail["Subject"] == "Запрошення до платформи «Послуги»"
    assert f"{platform.settings.base_url}/invitation/" in mail.get_body(preferencelist=("plain",)).get_content()

    page.click("button:has-text('Deactivate')")  # no reason: refused, said at the top
    assert page.title().startswith("Error: ")
    assert page.locator(".error-summary").is_visible()
    page.fill("#reason", "Перейшла до іншої установи")
    page.click("button:has-text('Deactivate')")
    page.wait_for_url("**/admin/people/*")
    assert "The person was deactivated" in page.inner_text("main")
    assert "Reactivate the account" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "deactivated.png"), full_page=True)
    page.goto("/admin/people?status=inactive")
    assert "poltava.social2" in page.inner_text("main table")
