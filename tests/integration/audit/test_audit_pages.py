"""Administrators browse, filter and export the audit log; nobody else sees it; downloads of files are audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from engine.db import unit_of_work
from engine.services.cases.applications import start_application
from engine.services.context import Platform
from engine.store import audit
from webapp import create_app

from ..security.conftest import sign_in
from .conftest import ActorOf, write_events

ClientAs = Callable[[str | None], FlaskClient]


@pytest.fixture
def app(settings: Settings, platform: Platform) -> Iterator[Flask]:
    app = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    yield app


@pytest.fixture
def client_as(app: Flask) -> ClientAs:
    def make(username: str | None) -> FlaskClient:
        """Signed in (unless None), reading English."""
        client = app.test_client()
        if username:
            sign_in(client, username)
        client.get("/?lang=en")
        return client

    return make


def test_the_administration_index_links_to_the_audit_log(client_as: ClientAs) -> None:
    page = client_as("admin").get("/admin/").get_data(as_text=True)
    assert 'href="/admin/audit"' in page


def test_an_administrator_sees_and_filters_the_log(platform: Platform, client_as: ClientAs, actor_of: ActorOf) -> None:
    write_events(platform, 4, action="test.poke", actor="poker")
    with unit_of_work(platform.write_sessions) as db:
        reference = start_application(db, platform, actor_of("citizen"), "family_composition_certificate").reference
    admin = client_as("admin")

    everything = admin.get("/admin/audit")
    assert everything.status_code == 200
    text = everything.get_data(as_text=True)
    assert "test.poke" in text and "auth.signed_in" in text  # the admin's own sign-in is there too

    by_actor = admin.get("/admin/audit?actor=POKER").get_data(as_text=True)
    assert by_actor.count("<code>test.poke</code>") == 4 and "auth.signed_in" not in by_actor

    by_action = admin.get("/admin/audit?action=auth").get_data(as_text=True)
    assert "auth.signed_in" in by_action and "test.poke" not in by_action

    by_case = admin.get(f"/admin/audit?reference={reference}").get_data(as_text=True)
    assert reference in by_case and "test.poke" not in by_case and "auth.signed_in" not in by_case

    unknown = admin.get("/admin/audit?reference=00000-00000").get_data(as_text=True)
    assert "No case has this reference number" in unknown

    past = admin.get("/admin/audit?since=2001-01-01&until=2001-01-31").get_data(as_text=True)
    assert "No event matches these filters." in past


def test_wrong_days_are_told_in_an_error_summary(client_as: ClientAs) -> None:
    reply = client_as("admin").get("/admin/audit?since=yesterday&until=2026-01-01")
    assert reply.status_code == 400
    text = reply.get_data(as_text=True)
    assert "There is a problem" in text and 'href="#field-since"' in text
    reply = client_as("admin").get("/admin/audit?since=2026-02-01&until=2026-01-01")
    assert "The last day must be the same as or after the first day" in reply.get_data(as_text=True)


def test_the_filtered_log_is_exported_as_csv(platform: Platform, client_as: ClientAs) -> None:
    write_events(platform, 3, action="test.export", actor="=cmd")
    reply = client_as("admin").get("/admin/audit.csv?action=test.export")
    assert reply.status_code == 200
    assert reply.mimetype == "text/csv"
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert [row["action"] for row in rows] == ["test.export"] * 3
    assert {row["actor"] for row in rows} == {"'=cmd"}  # never a spreadsheet formula
    assert [row["details"] for row in rows] == ['{"n": 0}', '{"n": 1}', '{"n": 2}']
    assert all(len(row["hash"]) == 64 for row in rows)


@pytest.mark.parametrize("username", ["lubny.cnap", "citizen"])
def test_officials_and_citizens_are_refused(client_as: ClientAs, username: str) -> None:
    client = client_as(username)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client_as: ClientAs) -> None:
    for address in ("/admin/audit", "/admin/audit.csv"):
        reply = client_as(None).get(address)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_downloading_a_file_is_audited(platform: Platform, client_as: ClientAs) -> None:
    client = client_as("citizen")
    uploaded = client.post(
        "/api/v1/attachments",
        headers=_bearer(client),
        data={"file": (io.BytesIO(b"%PDF-1.4 mine\n"), "scan.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201
    attachment_id = uploaded.get_json()["id"]
    reply = client.get(f"/attachments/{attachment_id}")
    assert reply.status_code == 200
    reply.close()
    with unit_of_work(platform.read_sessions) as db:
        events = [e for e in audit.recent(db, limit=20) if e.action == "attachment.downloaded"]
    assert len(events) == 1
    assert events[0].actor == "citizen" and attachment_id in events[0].details_json
    assert client_as("citizen2").get(f"/attachments/{attachment_id}").status_code == 404  # refused: not audited
    with unit_of_work(platform.read_sessions) as db:
        assert len([e for e in audit.recent(db, limit=20) if e.action == "attachment.downloaded"]) == 1


def _bearer(client: FlaskClient) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"})
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}
