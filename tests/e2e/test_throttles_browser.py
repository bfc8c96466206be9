"""In headless Chromium: too many refused sign-ins from one network show the "too many attempts" page (its error
summary, when to come back), and its link leads back to the form; with JavaScript on and off."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from engine.config import Settings

from .conftest import open_page


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, ratelimits={"login": "2/minute"})


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_network_that_keeps_failing_to_sign_in_is_told_when_to_come_back(
    chromium: Path, live_server: str, javascript: bool
) -> None:
    with open_page(chromium, live_server, javascript=javascript) as page:
        page.goto("/login?lang=en")
        for _ in range(2):
            page.fill("input[name=username]", "someone")
            page.fill("input[name=password]", "a guess")
            page.click("main button[type=submit]")
            assert "Enter a correct username and password" in page.inner_text(".error-summary")

        page.fill("input[name=username]", "citizen")
        page.fill("input[name=password]", "demo")
        page.click("main button[type=submit]")
        assert page.title() == "Error: Too many attempts — Posluhy"
        summary = page.locator(".error-summary[role=alert]")
        assert summary.inner_text().endswith("Too many attempts from your network. Try again in 1 minute.")

        page.click("text=Go back to the form")
        assert page.locator("h1").inner_text() == "Sign in"
        assert page.url.endswith("/login")
