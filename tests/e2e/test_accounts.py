"""In headless Chromium: a citizen creates an account, confirms the address from the mail (a real SMTP server),
and is signed in; then forgets the password, sets a new one from the reset mail and signs in with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.config import Settings
from engine.services.background.runner import run_due_jobs
from engine.services.context import Platform
from tests.local_servers import Mailbox

from .conftest import open_page

ADDRESS = "maria.shevchenko@example.org"
FIRST = "amber kettle violin harbour"
SECOND = "quiet lantern orbit meadow"
LINK = re.compile(r"http://\S+/(?:account/verify|password/reset)/\S+")


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


def last_link(mailbox: Mailbox, platform: Platform) -> str:
    """The link of the newest mail, once the worker has sent what the pages queued."""
    run_due_jobs(platform, worker_id="e2e", limit=50)
    part = mailbox.messages[-1].get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    assert part is not None
    found = LINK.search(str(part.get_content()))
    assert found is not None
    return found.group(0)


@pytest.fixture
def page(chromium: Path, live_server: str) -> Iterator[Any]:
    with open_page(chromium, live_server, viewport=(1200, 900)) as page:
        yield page


def relative(link: str, live_server: str) -> str:
    """Mails link to the configured public address; the browser goes to the same path on the live server."""
    return re.sub(r"^http://[^/]+", live_server, link)


@pytest.mark.needs("chromium")
def test_sign_up_verify_then_reset_the_password(
    page: Any, mailbox: Mailbox, platform: Platform, live_server: str, tmp_path: Path
) -> None:
    page.goto("/login?lang=en")
    page.click("text=Create an account")
    page.wait_for_url("**/register")
    page.click("button:has-text('Create account')")  # nothing typed: every field says what it needs
    assert page.title().startswith("Error: ")
    assert "Enter your full name" in page.locator(".error-summary").inner_text()
    page.fill("#full_name", "Марія Шевченко")
    page.fill("#email", ADDRESS)
    page.fill("#password", "password123")
    page.fill("#confirm", "password123")
    page.click("button:has-text('Create account')")
    assert "too common" in page.locator(".error-summary").inner_text()
    assert page.input_value("#email") == ADDRESS and page.input_value("#password") == ""
    page.fill("#password", FIRST)
    page.fill("#confirm", FIRST)
    page.click("button:has-text('Create account')")
    page.wait_for_url("**/account/check-email")
    assert f"We have sent an email to {ADDRESS}" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "check-email.png"), full_page=True)

    page.goto(relative(last_link(mailbox, platform), live_server))
    page.click("button:has-text('Confirm my email address')")
    page.wait_for_url("**/account")
    assert "is confirmed" in page.inner_text("main") and "Марія Шевченко" in page.inner_text("main")
    assert "Sign out (Марія Шевченко)" in page.inner_text("header")
    page.click("header button:has-text('Sign out')")

    page.goto("/login?lang=en")
    page.click("text=Forgotten your password?")
    page.fill("#login", ADDRESS)
    page.click("button:has-text('Send the link')")
    page.wait_for_url("**/account/check-email")
    page.goto(relative(last_link(mailbox, platform), live_server))
    page.fill("#password", SECOND)
    page.fill("#confirm", SECOND)
    page.click("button:has-text('Set password')")
    page.wait_for_url("**/login")
    assert "Sign in with your new password" in page.inner_text("main")

    page.fill("input[name=username]", ADDRESS)
    page.fill("input[name=password]", FIRST)  # the old one no longer works
    page.click("main button:has-text('Sign in')")
    assert "Enter a correct username and password" in page.inner_text("main")
    page.fill("input[name=password]", SECOND)
    page.click("main button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/login" not in url)
    assert "Sign out (Марія Шевченко)" in page.inner_text("header")
