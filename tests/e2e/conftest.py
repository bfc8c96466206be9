"""Browser tests: the Flask app served on a free localhost port from a thread, driven by headless Chromium.

Skipped (with the reason) when Debian's Chromium or the Python playwright package is missing; CI installs both and
sets POSLUHY_TESTS_STRICT=1, which turns the skip into a failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from engine.config import Settings
from engine.services.context import Platform
from webapp import create_app

from ..conftest import CHROMIUM, require

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(settings: Settings, platform: Platform) -> Iterator[str]:
    app = create_app(settings, platform=platform)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium with the playwright package: skips without them (fails under POSLUHY_TESTS_STRICT=1)."""
    require("chromium")
    return CHROMIUM


@pytest.fixture
def browser_page(chromium: Path, live_server: str) -> Iterator[Any]:
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                base_url=live_server, locale="en-GB", viewport={"width": 1400, "height": 1000}
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto("/login?lang=en")
            page.fill("input[name=username]", "analyst")
            page.fill("input[name=password]", "demo")
            page.click("main button[type=submit]")
            page.wait_for_url(lambda url: "/login" not in url)
            yield page
            assert errors == [], errors
        finally:
            browser.close()
