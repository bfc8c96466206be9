"""The API's token endpoint: an account with a second factor sends its code beside the password."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from engine.clock import FakeClock
from engine.services.context import Platform

from .conftest import Visitor, audit_rows, code_now, require_for

TOKEN = "/api/v1/auth/token?lang=en"


def ask(client: FlaskClient, **body: object) -> tuple[int, dict[str, object]]:
    reply = client.post(TOKEN, json={"username": "citizen", "password": "demo", **body})
    return reply.status_code, reply.get_json()


def test_a_token_needs_the_code_when_the_account_has_a_second_factor(
    visitor: Visitor, platform: Platform, clock: FakeClock
) -> None:
    api = visitor.client.application.test_client()
    assert ask(api)[0] == 200  # before: the password is enough
    visitor.sign_in("citizen")
    secret, codes = visitor.enrol()

    status, body = ask(api)
    assert (status, body["code"]) == (401, "second_factor_required")
    assert "totp" in str(body["error"])
    status, body = ask(api, totp="12 34 56" if code_now(secret, clock) != "123456" else "654321")
    assert (status, body["code"]) == (401, "second_factor_invalid")
    status, body = ask(api, totp=code_now(secret, clock))  # the step used to enrol
    assert (status, body["code"]) == (401, "second_factor_invalid")

    clock.advance(timedelta(seconds=30))
    status, body = ask(api, totp=code_now(secret, clock))
    assert status == 200 and body["token"]
    status, body = ask(api, recovery_code=codes[0])
    assert status == 200
    status, body = ask(api, recovery_code=codes[0])
    assert (status, body["code"]) == (401, "second_factor_invalid")
    status, body = ask(api, password="wrong", totp=code_now(secret, clock, steps=1))
    assert status == 401 and "code" not in body  # a wrong password says nothing about the second factor
    assert ask(api, totp=123456)[0] == 400

    failures = [d for a, _w, d in audit_rows(platform, "auth.sign_in_failed") if d["method"] == "totp"]
    assert failures == [{"method": "totp", "reason": "wrong_code", "purpose": "api_token"}] * 3


def test_wrong_codes_through_the_api_lock_like_the_page(visitor: Visitor, clock: FakeClock) -> None:
    api = visitor.client.application.test_client()
    visitor.sign_in("citizen")
    secret, _codes = visitor.enrol()
    clock.advance(timedelta(seconds=30))
    wrong = "000000" if code_now(secret, clock) != "000000" else "111111"
    for _ in range(5):
        assert ask(api, totp=wrong)[0] == 401
    reply = api.post(TOKEN, json={"username": "citizen", "password": "demo", "totp": code_now(secret, clock)})
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "900"


def test_a_role_that_requires_it_gets_no_token_before_enrolling(platform: Platform, visitor: Visitor) -> None:
    require_for(platform, "official")
    api = visitor.client.application.test_client()
    reply = api.post(TOKEN, json={"username": "official", "password": "demo"})
    assert reply.status_code == 401
    assert reply.get_json()["code"] == "second_factor_enrolment_required"
    reply = api.post(TOKEN, json={"username": "official", "password": "demo", "totp": "123456"})
    assert reply.get_json()["code"] == "second_factor_enrolment_required"
