"""A staff account that signs in through an identity provider gives its second factor too, through the same step
as password sign-ins (webapp.auth.second_factor_step)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from engine.clock import FakeClock
from engine.services.context import Platform
from tests.integration.identity.conftest import Provider, Visitor, idp, impostor_idp, settings
from tests.integration.identity.test_linking import link

from .conftest import CODE_RE, SECRET_RE, audit_rows, code_now, require_for, token_in

__all__ = ["idp", "impostor_idp", "settings"]  # the identity tests' providers and settings, used here too


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    """Near the real time: the provider signs its ID tokens with the real clock."""
    platform.clock = FakeClock(datetime.now(UTC))
    return platform.clock


def test_an_official_signing_in_through_a_provider_must_enrol_and_then_give_codes(
    app: Flask, idp: Provider, platform: Platform, clock: FakeClock
) -> None:
    sub = idp.person(name="Олена Савченко", email="olena@example.org", email_verified=True)
    link(Visitor(app.test_client(), idp).log_in("lubny.cnap"), idp, sub)
    require_for(platform, "official")

    browser = Visitor(app.test_client(), idp)
    reply = browser.sign_in(sub)
    assert reply.status_code == 302 and reply.headers["Location"] == "/account/second-factor/enrol"
    assert browser.signed_in_as() is None
    page = browser.client.get("/account/second-factor/enrol?lang=en").get_data(as_text=True)
    found = SECRET_RE.search(page)
    assert found is not None
    secret = found.group(1)
    done = browser.client.post(
        "/account/second-factor/enrol?lang=en", data={"code": code_now(secret, clock), "csrf_token": token_in(page)}
    )
    assert done.status_code == 200 and len(CODE_RE.findall(done.get_data(as_text=True))) == 10
    assert browser.signed_in_as() == "Олена Савченко"

    later = Visitor(app.test_client(), idp)
    assert later.sign_in(sub).headers["Location"] == "/login/second-factor"
    clock.advance(timedelta(seconds=30))
    page = later.client.get("/login/second-factor?lang=en").get_data(as_text=True)
    answer = later.client.post(
        "/login/second-factor?lang=en", data={"code": code_now(secret, clock), "csrf_token": token_in(page)}
    )
    assert answer.status_code == 302
    assert later.signed_in_as() == "Олена Савченко"

    methods = [(a, d.get("method")) for a, who, d in audit_rows(platform, "auth.signed_in") if who == "lubny.cnap"]
    assert methods == [
        ("auth.signed_in", "password"),
        ("auth.signed_in", "oidc"),  # the provider vouched; the session began only after the code:
        ("auth.signed_in", "oidc+totp"),
        ("auth.signed_in", "oidc"),
        ("auth.signed_in", "oidc+totp"),
    ]
