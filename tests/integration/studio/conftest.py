"""Studio pages with CSRF on: signed-in browser-like clients, tokens taken from the pages they see."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from engine.services.context import Platform
from webapp import create_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    assert app.config.get("WTF_CSRF_ENABLED", True)
    yield app


class Browser:
    """A person using the HTML pages (English UI); every POST carries a CSRF token taken from a page."""

    def __init__(self, app: Flask, username: str | None) -> None:
        self.client: FlaskClient = app.test_client()
        self.client.get("/login?lang=en")
        if username is not None:
            reply = self.post("/login", {"username": username, "password": "demo"}, token_from="/login")
            assert reply.status_code == 302, reply.get_data(as_text=True)

    def page(self, path: str) -> str:
        reply = self.client.get(path)
        assert reply.status_code == 200, (path, reply.status_code, reply.get_data(as_text=True)[:2000])
        return reply.get_data(as_text=True)

    def token(self, path: str) -> str:
        found = CSRF_RE.search(self.client.get(path).get_data(as_text=True))
        assert found, path
        return found.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, *, token_from: str = "/") -> Any:
        return self.client.post(path, data={"csrf_token": self.token(token_from), **(data or {})})

    def follow(self, reply: Any) -> str:
        """The page a redirect leads to."""
        assert reply.status_code == 302, (reply.status_code, reply.get_data(as_text=True)[:2000])
        return self.page(reply.headers["Location"])


@pytest.fixture
def browser(app: Flask) -> Any:
    return lambda username: Browser(app, username)
