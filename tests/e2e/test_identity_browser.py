"""In headless Chromium: signing in through a real OpenID Connect provider (its own page, on its own port), and a
demo form that shows what the provider vouched for, read-only."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from engine.config import Settings
from engine.oidc_settings import providers_from_env
from engine.services.context import Platform
from tests.fixtures.oidc.running import Provider, start_provider, stop
from tests.local_servers import free_port
from webapp import create_app

from .conftest import open_page

OKSANA = {
    "name": "Оксана Іванівна Петренко",
    "given_name": "Оксана",
    "middle_name": "Іванівна",
    "family_name": "Петренко",
    "email": "oksana@example.com",
    "email_verified": True,
    "phone_number": "+380501234567",
    "phone_number_verified": True,
    "rnokpp": "3012345678",
}


@pytest.fixture(scope="module")
def idp() -> Iterator[Provider]:
    provider = start_provider()
    yield provider
    stop(provider)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, idp: Provider, port: int) -> Settings:
    """The public address is the live server's: the provider sends the browser back there."""
    env = {
        "POSLUHY_OIDC_PROVIDERS": "testid",
        "POSLUHY_OIDC_TESTID_ISSUER": idp.issuer,
        "POSLUHY_OIDC_TESTID_CLIENT_ID": "posluhy",
        "POSLUHY_OIDC_TESTID_CLIENT_SECRET": "test-secret",
        "POSLUHY_OIDC_TESTID_DISPLAY_NAME": "Тест-ID",
        "POSLUHY_OIDC_TESTID_DISPLAY_NAME_EN": "Test-ID",
        "POSLUHY_OIDC_TESTID_SCOPES": "openid profile email phone",
        "POSLUHY_OIDC_TESTID_CLAIMS": '{"tax_number": "rnokpp"}',
    }
    return dataclasses.replace(settings, base_url=f"http://127.0.0.1:{port}", oidc_providers=providers_from_env(env))


@pytest.fixture
def live_server(settings: Settings, platform: Platform, port: int) -> Iterator[str]:
    app = create_app(settings, platform=platform)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield settings.base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def page(chromium: Path, live_server: str) -> Iterator[Any]:
    with open_page(chromium, live_server, viewport=(1200, 900)) as page:
        yield page


@pytest.mark.needs("chromium")
def test_a_citizen_signs_in_with_the_provider_and_finds_her_details_filled_in(
    page: Any, idp: Provider, live_server: str, tmp_path: Path
) -> None:
    sub = idp.person(**OKSANA)
    page.goto("/services/family_composition_certificate?lang=en")
    page.click("text=Sign in to apply")  # the sign-in page, coming back here afterwards
    page.wait_for_url("**/login?**")
    page.screenshot(path=str(tmp_path / "sign-in.png"), full_page=True)
    page.click("text=Sign in with Test-ID")
    page.wait_for_url(f"{idp.issuer}/**")  # the provider's own page
    page.fill("input[name=sub]", sub)
    page.click("button:has-text('Authorize')")
    page.wait_for_url(f"{live_server}/services/family_composition_certificate")
    assert page.locator("header").inner_text().count("Оксана Іванівна Петренко") == 1
    page.click("text=Start now")
    page.wait_for_url("**/pages/1")
    page.screenshot(path=str(tmp_path / "verified-form.png"), full_page=True)
    surname = page.locator("#field-last_name")
    assert "From your identity provider" in surname.inner_text()
    assert "Петренко" in surname.inner_text()
    assert page.locator("input[name=last_name]").count() == 0  # nothing to change
    for name, value in (("first_name", "Оксана"), ("rnokpp", "3012345678"), ("email", "oksana@example.com")):
        assert value in page.locator(f"#field-{name}").inner_text()
    page.fill("input[name=birth_date]", "14.03.1985")
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/pages/2")
