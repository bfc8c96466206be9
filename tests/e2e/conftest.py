"""Browser tests: the Flask app served on a free localhost port from a thread, driven by headless Chromium.

Skipped (with the reason) when Debian's Chromium or the Python playwright package is missing; CI installs both and
sets POSLUHY_TESTS_STRICT=1, which turns the skip into a failure.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from engine.config import Settings
from engine.services.context import Platform
from tests.local_servers import mailbox
from webapp import create_app

from ..conftest import CHROMIUM, require

__all__ = ["mailbox"]

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


@contextmanager
def open_page(
    chromium: Path,
    live_server: str,
    *,
    username: str | None = None,
    javascript: bool = True,
    viewport: tuple[int, int] = (1400, 1000),
) -> Iterator[Any]:
    """A page of a fresh headless Chromium on the live server (signed in as `username`, password demo, if given);
    a script error on any page fails the test."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                base_url=live_server,
                locale="en-GB",
                viewport={"width": viewport[0], "height": viewport[1]},
                java_script_enabled=javascript,
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            if username is not None:
                page.goto("/login?lang=en")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", "demo")
                page.click("main button[type=submit]")
                page.wait_for_url(lambda url: "/login" not in url)
            yield page
            assert errors == [], errors
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Path, live_server: str) -> Iterator[Any]:
    """The analyst's signed-in page."""
    with open_page(chromium, live_server, username="analyst") as page:
        yield page
