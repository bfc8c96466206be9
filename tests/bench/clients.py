"""In-process clients (Flask test client, no network): an API user with a bearer token and a browser with
cookies and CSRF tokens. Every request goes through `Probe`, which times it and counts its SQL statements."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.bench.platforms import BenchError, BenchPlatform

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
NAME_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
CURRENT_RE = re.compile(r'name="([a-z0-9_]+__current)" value="([^"]*)"')
PDF = b"%PDF-1.4 a small bench file\n%%EOF\n"


@dataclass
class Call:
    """One request: its label, wall time in seconds and the SQL statements it issued."""

    label: str
    seconds: float
    statements: int
    kinds: dict[str, int]


@dataclass
class Probe:
    """Times requests and counts their statements; `calls` keeps them in order until `take()`."""

    bench: BenchPlatform
    calls: list[Call] = field(default_factory=list)

    def run(self, label: str | None, request: Callable[[], TestResponse]) -> TestResponse:
        """Send the request; timed and counted only when it has a label (set-up requests have none)."""
        if label is None:
            return request()
        self.bench.sql.reset()
        started = time.perf_counter()
        response = request()
        response.get_data()  # the whole body is produced inside the timed part
        took = time.perf_counter() - started
        self.calls.append(Call(label, took, self.bench.sql.count, self.bench.sql.kinds()))
        return response

    def take(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls


def expect(response: TestResponse, status: int, what: str) -> TestResponse:
    if response.status_code != status:
        body = response.get_data(as_text=True)[:500]
        raise BenchError(f"{what}: expected HTTP {status}, got {response.status_code}: {body}")
    return response


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class ApiUser:
    """One person on the JSON API: a token issued at construction (before any timing), no cookies."""

    def __init__(self, bench: BenchPlatform, probe: Probe, username: str) -> None:
        self.client: FlaskClient = bench.app.test_client(use_cookies=False)
        self.probe = probe
        reply = expect(
            self.client.post("/api/v1/auth/token", json={"username": username, "password": "demo"}), 200, "token"
        )
        self.headers = {"Authorization": f"Bearer {reply.get_json()['token']}"}

    def get(self, path: str, label: str | None = None) -> TestResponse:
        return self.probe.run(label, partial(self.client.get, f"/api/v1{path}", headers=self.headers))

    def post(self, path: str, body: Any, label: str | None = None) -> TestResponse:
        return self.probe.run(label, partial(self.client.post, f"/api/v1{path}", headers=self.headers, json=body))

    def upload(self, name: str, label: str | None = None) -> str:
        def request() -> TestResponse:
            data = {"file": (io.BytesIO(PDF), name, "application/pdf")}
            return self.client.post("/api/v1/attachments", headers=self.headers, data=data)

        reply = self.probe.run(label, request)
        return str(expect(reply, 201, "upload").get_json()["id"])


def as_form_value(value: Any) -> Any:
    """A JSON answer as a browser sends it (booleans as yes/no, files as uploads)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith("@file:"):
        return (io.BytesIO(PDF), value.removeprefix("@file:"), "application/pdf")
    if isinstance(value, int | float):
        return str(value)
    return value


class Browser:
    """One visitor with a cookie jar, signed in at construction; every POST carries the last page's CSRF token."""

    def __init__(self, bench: BenchPlatform, probe: Probe, username: str) -> None:
        self.client: FlaskClient = bench.app.test_client()
        self.probe = probe
        self.token = ""
        self.get("/login")
        expect(self.post("/login", {"username": username, "password": "demo"}), 302, f"sign-in of {username}")
        self.get("/")  # the session is renewed at sign-in, and so is the token

    def _remember(self, response: TestResponse) -> None:
        if response.mimetype == "text/html" and (found := TOKEN_RE.search(response.get_data(as_text=True))):
            self.token = found.group(1)

    def get(self, url: str, label: str | None = None) -> TestResponse:
        response = self.probe.run(label, partial(self.client.get, url))
        self._remember(response)
        return response

    def page(self, url: str, label: str | None = None) -> str:
        return expect(self.get(url, label), 200, f"GET {url}").get_data(as_text=True)

    def post(self, url: str, data: dict[str, Any] | None = None, label: str | None = None) -> TestResponse:
        payload = {**(data or {}), "csrf_token": self.token}
        has_files = any(isinstance(v, tuple) for v in payload.values())
        kind = "multipart/form-data" if has_files else None
        response = self.probe.run(label, partial(self.client.post, url, data=payload, content_type=kind))
        self._remember(response)
        return response

    def answers_for(self, html: str, answers: dict[str, Any]) -> dict[str, Any]:
        """What a person types on this page: the answers for the fields it shows, files uploaded before kept."""
        names = {n for n in NAME_RE.findall(html) if n != "csrf_token" and not n.endswith("__current")}
        data: dict[str, Any] = dict(CURRENT_RE.findall(html))
        data.update({name: as_form_value(answers[name]) for name in names if name in answers})
        return data
