"""An imported iGov service in the web application: real SMTP (aiosmtpd), a browser that keeps the CSRF token.

Pages are requested in Ukrainian (the platform's default language), as a citizen of the region would see them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.config import Settings
from engine.services.context import Platform
from webapp import create_app

from ..conftest import Mailbox

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
PDF = b"%PDF-1.4 a small test file\n%%EOF\n"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


def as_form_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("@file:"):
        return (io.BytesIO(PDF), value.removeprefix("@file:"), "application/pdf")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Browser:
    """One visitor with a cookie jar; every POST carries the CSRF token taken from a rendered page."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def get(self, url: str) -> TestResponse:
        response = self.client.get(url)
        if response.mimetype == "text/html" and (found := TOKEN_RE.search(response.get_data(as_text=True))):
            self.token = found.group(1)
        return response

    def page(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        if not self.token:
            self.get("/login")
        payload = {**(data or {}), "csrf_token": self.token}
        has_files = any(isinstance(v, tuple) for v in payload.values())
        response = self.client.post(url, data=payload, content_type="multipart/form-data" if has_files else None)
        if response.mimetype == "text/html" and (found := TOKEN_RE.search(response.get_data(as_text=True))):
            self.token = found.group(1)
        return response

    def login(self, username: str) -> Browser:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": "demo"})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.get("/")
        return self

    def fill(self, url: str, answers: dict[str, Any]) -> TestResponse:
        """Send the page as a browser would: what the page shows (prefilled values kept) with ``answers`` typed in."""
        html = self.page(url)
        names = {n for n in NAME_RE.findall(html) if n != "csrf_token"}
        data = {n: v for n, v in shown_values(html).items() if n in names}
        data.update({name: as_form_value(answers[name]) for name in names if name in answers})
        return self.post(url, data)


INPUT_VALUE_RE = re.compile(r'<input[^>]*\btype="(?:text|email|tel)"[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"')


def shown_values(html: str) -> dict[str, str]:
    """Values of the text inputs a page shows (prefilled answers)."""
    return {name: value for name, value in INPUT_VALUE_RE.findall(html) if name != "csrf_token"}


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    yield app


@pytest.fixture
def browser(app: Flask) -> Any:
    return lambda username: Browser(app.test_client()).login(username)
