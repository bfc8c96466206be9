"""The web app with CSRF on, and a small browser that signs in, fills form pages and keeps the CSRF token."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.config import PROJECT_ROOT, Settings
from engine.services.context import Platform
from webapp import create_app

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
CURRENT_RE = re.compile(r'name="([a-z0-9_]+__current)" value="([^"]*)"')
PDF = b"%PDF-1.4 a small test file\n%%EOF\n"


def scenario(service_id: str, name: str) -> dict[str, Any]:
    """The applicant's start-form data of one of the service's scenario files."""
    path = PROJECT_ROOT / "processes" / service_id / "scenarios" / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["steps"][0]["data"]
    return data


def as_form_value(value: Any) -> Any:
    """A JSON scenario value as a browser would send it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith("@file:"):
        return (io.BytesIO(PDF), value.removeprefix("@file:"), "application/pdf")
    if isinstance(value, int | float):
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
        # Pages in English, so the assertions on interface text survive the Ukrainian catalogue being filled in;
        # the services' own texts stay Ukrainian where the diagrams give no English.
        client.get("/?lang=en")

    def get(self, url: str) -> TestResponse:
        response = self.client.get(url)
        self._remember(response)
        return response

    def page(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def _remember(self, response: TestResponse) -> None:
        if response.mimetype == "text/html" and (found := TOKEN_RE.search(response.get_data(as_text=True))):
            self.token = found.group(1)

    def post(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        if not self.token:
            self.get("/login")  # every visitor can open the sign-in form, which carries a token
        payload = {**(data or {}), "csrf_token": self.token}
        has_files = any(isinstance(v, tuple) for v in payload.values())
        response = self.client.post(url, data=payload, content_type="multipart/form-data" if has_files else None)
        self._remember(response)
        return response

    def login(self, username: str) -> Browser:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": "demo"})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.get("/")  # the session was renewed at sign-in, so is the token
        return self

    def start(self, service_id: str) -> str:
        """Press "Start now"; returns the path of the first form page."""
        response = self.post(f"/services/{service_id}/apply")
        assert response.status_code == 302, response.status_code
        return path_of(response.headers["Location"])

    def fill_page(self, url: str, answers: dict[str, Any]) -> TestResponse:
        """Send the page with the answers for the fields it shows (others on the page left empty)."""
        html = self.page(url)
        names = {n for n in NAME_RE.findall(html) if n != "csrf_token" and not n.endswith("__current")}
        data = dict(CURRENT_RE.findall(html))  # files uploaded earlier, sent back like a browser would
        data.update({name: as_form_value(answers[name]) for name in names if name in answers})
        return self.post(url, data)

    def fill_all(self, first_page: str, answers: dict[str, Any]) -> str:
        """Fill every page from the first; returns the path of the check-your-answers page."""
        url = first_page
        for _ in range(20):
            response = self.fill_page(url, answers)
            assert response.status_code == 302, response.get_data(as_text=True)
            url = path_of(response.headers["Location"])
            if url.endswith("/check"):
                return url
        raise AssertionError("the form never reached check your answers")

    def apply(self, service_id: str, answers: dict[str, Any]) -> str:
        """A whole application through check answers; returns the confirmation page's path."""
        check = self.fill_all(self.start(service_id), answers)
        response = self.post(check)
        assert response.status_code == 302, response.get_data(as_text=True)
        return path_of(response.headers["Location"])


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    yield app


@pytest.fixture
def scenario_data() -> Callable[[str, str], dict[str, Any]]:
    return scenario


@pytest.fixture
def anonymous(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def citizen(app: Flask) -> Browser:
    return Browser(app.test_client()).login("citizen")


@pytest.fixture
def citizen2(app: Flask) -> Browser:
    return Browser(app.test_client()).login("citizen2")
