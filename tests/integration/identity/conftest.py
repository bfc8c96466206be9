"""Real OpenID Connect providers on 127.0.0.1 (tests/fixtures/oidc/provider.py, one process each, started once per
test session), the platform configured as their client, and a visitor who signs in through them.

Providers as the platform is configured here:

* ``testid``: the provider, as a citizen would meet it (names and tax number vouched for; e-mail and phone when it
  says they are verified; the tax number in the claim ``rnokpp``);
* ``strict``: the same provider, but a sign-in without a verified e-mail is refused;
* ``impostor``: a provider whose ID tokens are not signed by the key it publishes;
* ``down``: an address where nothing answers.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.config import Settings
from engine.oidc_settings import providers_from_env
from engine.services.context import Platform
from tests.fixtures.oidc.running import Provider, start_provider, stop
from tests.local_servers import free_port
from webapp import create_app

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CLAIMS = json.dumps({"tax_number": "rnokpp"})


@pytest.fixture(scope="session")
def idp() -> Iterator[Provider]:
    provider = start_provider()
    yield provider
    stop(provider)


@pytest.fixture(scope="session")
def impostor_idp() -> Iterator[Provider]:
    provider = start_provider("--wrong-key")
    yield provider
    stop(provider)


def closed_port() -> int:
    """A port nothing listens on (it was free a moment ago)."""
    return free_port()


def provider_environment(idp: Provider, impostor: Provider) -> dict[str, str]:
    """The environment an operator would write for these providers (read with the platform's own parser)."""
    env = {"POSLUHY_OIDC_PROVIDERS": "testid,strict,impostor,down"}
    for name, issuer, title in (
        ("TESTID", idp.issuer, "Тест-ID"),
        ("STRICT", idp.issuer, "Суворий ID"),
        ("IMPOSTOR", impostor.issuer, "Самозванець"),
        ("DOWN", f"http://127.0.0.1:{closed_port()}", "Недоступний ID"),
    ):
        env |= {
            f"POSLUHY_OIDC_{name}_ISSUER": issuer,
            f"POSLUHY_OIDC_{name}_CLIENT_ID": f"posluhy-{name.lower()}",
            f"POSLUHY_OIDC_{name}_CLIENT_SECRET": "test-secret",
            f"POSLUHY_OIDC_{name}_DISPLAY_NAME": title,
            f"POSLUHY_OIDC_{name}_DISPLAY_NAME_EN": title.replace("Тест", "Test"),
            f"POSLUHY_OIDC_{name}_SCOPES": "openid profile email phone",
            f"POSLUHY_OIDC_{name}_CLAIMS": CLAIMS,
            f"POSLUHY_OIDC_{name}_TIMEOUT": "5",
        }
    env["POSLUHY_OIDC_STRICT_REQUIRE_VERIFIED_EMAIL"] = "1"
    return env


@pytest.fixture
def settings(settings: Settings, idp: Provider, impostor_idp: Provider) -> Settings:
    return dataclasses.replace(settings, oidc_providers=providers_from_env(provider_environment(idp, impostor_idp)))


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    yield app


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Visitor:
    """A browser (a Flask test client with its cookies) that signs in through a provider; pages in English."""

    def __init__(self, client: FlaskClient, idp: Provider) -> None:
        self.client = client
        self.idp = idp
        self.token = ""
        client.get("/?lang=en")

    def get(self, url: str) -> TestResponse:
        response = self.client.get(url)
        if response.mimetype == "text/html" and (found := TOKEN_RE.search(response.get_data(as_text=True))):
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        if not self.token:
            self.get("/login")
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token})

    def begin(self, provider: str = "testid", next_page: str | None = None) -> str:
        """Press the provider's button on the sign-in page: where the browser is sent (the provider's page)."""
        response = self.get(f"/login/{provider}" + (f"?next={quote(next_page)}" if next_page else ""))
        assert response.status_code == 302, response.get_data(as_text=True)
        return str(response.headers["Location"])

    def sign_in(self, sub: str, provider: str = "testid", *, idp: Provider | None = None) -> TestResponse:
        """The whole round trip: the platform → the provider (signing in as `sub`) → the platform's callback."""
        callback = (idp or self.idp).authorize(self.begin(provider), sub)
        reply = self.get(path_of(callback))
        if reply.status_code == 302:
            self.get("/")  # the session was renewed at sign-in, so is the CSRF token
        return reply

    def log_in(self, username: str, password: str = "demo") -> Visitor:
        """Sign in with a password, as staff and the demo people can."""
        self.get("/login")
        reply = self.post("/login", {"username": username, "password": password})
        assert reply.status_code == 302, reply.get_data(as_text=True)
        self.get("/")
        return self

    def signed_in_as(self) -> str | None:
        """The name the page header shows beside "Sign out", or None when nobody is signed in."""
        html = self.get("/").get_data(as_text=True)
        found = re.search(r"Sign out \(([^)]*)\)", html)
        return found.group(1) if found else None


@pytest.fixture
def visitor(app: Flask, idp: Provider) -> Visitor:
    return Visitor(app.test_client(), idp)
