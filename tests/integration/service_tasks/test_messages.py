"""POST /api/v1/applications/{reference}/messages/{name}: an integration's message moves a waiting case on."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.cli import main
from engine.clock import FakeClock
from engine.config import Settings
from engine.db import unit_of_work
from engine.services.admin.integrations import create_integration
from engine.services.cases.applications import get_application
from engine.services.context import Platform
from engine.store import applications, audit
from webapp import create_app

from .conftest import actor, run_jobs, submit

pytestmark = pytest.mark.usefixtures("services")


@pytest.fixture
def client(settings: Settings, platform: Platform) -> Iterator[FlaskClient]:
    app: Flask = create_app(settings, platform=platform)
    app.config["TESTING"] = True
    with app.test_client() as client:
        yield client


@pytest.fixture
def token(platform: Platform) -> str:
    with unit_of_work(platform.write_sessions) as db:
        return create_integration(db, name="liqpay", messages=["payment_received"]).token


def post(client: FlaskClient, reference: str, name: str, token: str, body: object) -> tuple[int, dict[str, object]]:
    reply = client.post(
        f"/api/v1/applications/{reference}/messages/{name}",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    return reply.status_code, reply.get_json()


def refusals(platform: Platform, reference: str) -> list[dict[str, object]]:
    with unit_of_work(platform.read_sessions) as db:
        row = applications.find_by_reference(db, reference)
        assert row is not None
        events = audit.for_application(db, row.id)
        return [json.loads(e.details_json) for e in events if e.action == "message.refused"]


def test_a_payment_message_completes_the_waiting_application(
    platform: Platform, client: FlaskClient, token: str, clock: FakeClock
) -> None:
    reference = submit(platform, "svc_message", amount=60)

    code, body = post(client, reference, "payment_received", token, {"amount": 120, "order": "A-1"})
    assert code == 409, "the fee step has not run yet: nobody waits for the payment"
    assert "not waiting for the message payment_received" in str(body["error"])
    assert body["waiting"] == []
    assert refusals(platform, reference)[0]["message"] == "payment_received"  # audited although refused

    run_jobs(platform)  # the fee step
    code, body = post(client, reference, "payment_received", token, {"amount": 120, "order": "A-1"})
    assert code == 200, body
    assert body == {"reference": reference, "message": "payment_received", "status": "completed", "outcome": "end_paid"}
    with unit_of_work(platform.read_sessions) as db:
        view = get_application(db, actor(platform, "citizen"), reference)
        assert view.data["payment_received"] == {"amount": 120, "order": "A-1"}
        assert view.outcome == "end_paid"

    code, body = post(client, reference, "payment_received", token, {"amount": 120})
    assert code == 409 and "closed" in str(body["error"])


def test_tokens_and_allowed_messages_are_enforced(
    platform: Platform, client: FlaskClient, token: str, clock: FakeClock
) -> None:
    reference = submit(platform, "svc_message")
    run_jobs(platform)
    code, body = post(client, reference, "payment_received", "not-a-token", {"amount": 1})
    assert code == 401 and "token" in str(body["error"])
    reply = client.post(f"/api/v1/applications/{reference}/messages/payment_received", json={"amount": 1})
    assert reply.status_code == 401

    person = client.post("/api/v1/auth/token", json={"username": "admin", "password": "demo"}).get_json()["token"]
    code, _body = post(client, reference, "payment_received", person, {"amount": 1})
    assert code == 401, "a person's token is not an integration token"

    code, body = post(client, reference, "refund_issued", token, {"amount": 1})
    assert code == 403 and "refund_issued" in str(body["error"])
    code, body = post(client, reference, "payment_received", token, ["not", "an", "object"])
    assert code == 400
    code, _body = post(client, "LB-0000-0000", "payment_received", token, {"amount": 1})
    assert code == 404
    with unit_of_work(platform.read_sessions) as db:
        assert get_application(db, actor(platform, "citizen"), reference).status == "active"


def test_create_integration_prints_the_token_once(
    platform: Platform,
    settings: Settings,
    client: FlaskClient,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clock: FakeClock,
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert main(["create-integration", "registry", "--messages", "payment_received, extract_ready"]) == 0
    printed = capsys.readouterr()
    token = printed.out.strip()
    assert "payment_received, extract_ready" in printed.err
    assert main(["create-integration", "registry", "--messages", "payment_received"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["create-integration", "other", "--messages", "bad-name"]) == 1

    reference = submit(platform, "svc_message", amount=5)
    run_jobs(platform)
    code, body = post(client, reference, "payment_received", token, {"amount": 3})
    assert (code, body["outcome"]) == (200, "end_unpaid")
