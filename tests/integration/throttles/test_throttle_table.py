"""Every endpoint of the throttle table is limited for its methods only, and each limit can be set or turned off by
POSLUHY_RATELIMIT_<NAME>; the public status look-up counts every look-up by reference."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from flask import Flask
from limits import parse
from sqlalchemy import select

from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform
from webapp import create_app
from webapp.throttles import THROTTLES, Throttle, client_address

from .conftest import NETWORK, AppOf, client_at, csrf_token, sign_in

CASES = [(throttle, endpoint) for throttle in THROTTLES for endpoint in throttle.endpoints]


def use_up(app: Flask, endpoint: str, address: str, limit: str) -> None:
    """Spend the allowance of `address` at `endpoint` as its refused (or accepted) requests would have."""
    limiter = next(iter(app.extensions["limiter"]))
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        key = client_address()
    for _ in range(parse(limit).amount):
        assert limiter.limiter.hit(parse(limit), limiter._key_prefix, key, endpoint)


def url_of(app: Flask, endpoint: str, throttle: Throttle) -> str:
    rule = next(iter(app.url_map.iter_rules(endpoint=endpoint)))
    path = re.sub(r"<[^<>]+>", "x", rule.rule)  # a made-up reference or token: refused before the view looks
    return path + "?lang=en" + (f"&{throttle.only_with}=12345-67890" if throttle.only_with else "")


@pytest.mark.parametrize(("throttle", "endpoint"), CASES, ids=[endpoint for _t, endpoint in CASES])
def test_each_limited_endpoint_refuses_over_its_limit_and_nothing_else(
    app_of: AppOf, throttle: Throttle, endpoint: str
) -> None:
    app = app_of(ratelimits={throttle.name: "1/hour"})
    use_up(app, endpoint, "203.0.113.30", "1/hour")
    client = client_at(app, "203.0.113.30")
    url = url_of(app, endpoint, throttle)
    token = csrf_token(client) if "POST" in throttle.methods else ""
    for method in throttle.methods:
        reply = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert reply.status_code == 429, (method, url)
        assert "Retry-After" in reply.headers
        assert NETWORK in (reply.get_json()["error"] if reply.is_json else reply.get_data(as_text=True))
    if "GET" not in throttle.methods:
        assert client.get(url).status_code != 429  # the form page stays free
    other = client_at(app, "203.0.113.31")
    assert other.open(url, method=throttle.methods[0], data={"csrf_token": csrf_token(other)}).status_code != 429


def test_the_status_look_up_counts_every_look_up_by_reference(app_of: AppOf) -> None:
    app = app_of(ratelimits={"status": "3/minute"})
    client = client_at(app, "203.0.113.40")
    assert client.get("/status?reference=12345-67890&lang=en").status_code == 400  # no such application
    assert client.get("/status?reference=nonsense").status_code == 400
    assert client.get("/status/12345-67890").status_code == 404  # the status page is counted apart
    assert client.get("/status?reference=00000-00000").status_code == 400
    reply = client.get("/status?reference=00000-00001")
    assert reply.status_code == 429
    assert f"{NETWORK}. Try again in 1 minute." in reply.get_data(as_text=True)
    assert client.get("/status").status_code == 200  # the empty form is never counted
    assert client_at(app, "203.0.113.41").get("/status?reference=12345-67890").status_code == 400


def test_a_limit_is_set_by_its_variable(monkeypatch: pytest.MonkeyPatch, settings: Settings, app_of: AppOf) -> None:
    monkeypatch.setenv("POSLUHY_RATELIMIT_LOGIN", "2/minute")
    monkeypatch.setenv("POSLUHY_RATELIMIT_STATUS", "off")
    configured = Settings.from_env(database_url=settings.database_url, secret_key="x", var_dir=settings.var_dir)
    assert configured.ratelimits == {"login": "2/minute", "status": "off"}
    app = app_of(ratelimits=configured.ratelimits)
    client = client_at(app, "203.0.113.50")
    assert [sign_in(client, "x")[0] for _ in range(3)] == [400, 400, 429]
    assert {client.get("/status?reference=nonsense").status_code for _ in range(70)} == {400}


def test_throttles_can_be_turned_off(app_of: AppOf) -> None:
    app = app_of(ratelimit_enabled=False, ratelimits={"login": "1/minute"})
    client = client_at(app, "203.0.113.51")
    assert [sign_in(client, f"x{i}")[0] for i in range(3)] == [400, 400, 400]


@pytest.mark.parametrize(
    ("ratelimits", "message"),
    [
        ({"logon": "2/minute"}, "POSLUHY_RATELIMIT_LOGON: no such throttle; known: POSLUHY_RATELIMIT_LOGIN"),
        ({"login": "twenty a minute"}, "POSLUHY_RATELIMIT_LOGIN='twenty a minute' is not a limit"),
    ],
)
def test_a_mistyped_setting_stops_the_start(settings: Settings, ratelimits: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        create_app(dataclasses.replace(settings, ratelimits=ratelimits))


def test_a_signed_in_person_over_a_limit_is_audited_by_name(app_of: AppOf, platform: Platform) -> None:
    app = app_of(ratelimits={"status": "1/minute"})
    client = client_at(app, "203.0.113.60")
    assert sign_in(client, "citizen", "demo")[0] == 302
    assert [client.get("/status?reference=nonsense").status_code for _ in range(3)] == [400, 429, 429]
    with unit_of_work(platform.read_sessions) as db:
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.throttled")).all()
    assert [(e.actor, e.actor_id is not None, json.loads(e.details_json)["endpoint"]) for e in events] == [
        ("citizen", True, "citizen.status_lookup")
    ]
