"""Signing in through a real OpenID Connect provider over HTTP: the first sign-in makes a citizen's account, later
ones open it and keep it current; every way it can go wrong says so on the sign-in page and creates nothing."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask
from sqlalchemy import func, select

from engine.clock import FakeClock
from engine.config import Settings
from engine.db import unit_of_work
from engine.models import AuditEvent, ExternalIdentity, User
from engine.oidc_settings import providers_from_env
from engine.services.context import Platform
from tests.fixtures.oidc.running import start_provider, stop
from webapp import create_app

from .conftest import Provider, Visitor, path_of

OKSANA: dict[str, Any] = {
    "name": "Оксана Іванівна Петренко",
    "given_name": "Оксана",
    "middle_name": "Іванівна",
    "family_name": "Петренко",
    "email": "oksana@example.com",
    "email_verified": True,
    "phone_number": "+380501234567",
    "phone_number_verified": True,
    "rnokpp": "3012345678",
}


def accounts(platform: Platform) -> int:
    with unit_of_work(platform.read_sessions) as db:
        return int(db.scalar(select(func.count()).select_from(User)) or 0)


def account_of(platform: Platform, provider: str, sub: str) -> dict[str, Any] | None:
    with unit_of_work(platform.read_sessions) as db:
        identity = db.scalar(
            select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == sub)
        )
        if identity is None:
            return None
        user = identity.user
        return {
            "id": user.id,
            "username": user.username,
            "role": user.role,
            "full_name": user.full_name,
            "email": user.email,
            "email_verified": user.email_verified_at is not None,
            "phone": user.phone,
            "tax_number": user.tax_number,
            "verified": json.loads(user.verified_json),
            "claims": json.loads(identity.claims_json),
        }


def audited(platform: Platform, action: str) -> list[dict[str, Any]]:
    with unit_of_work(platform.read_sessions) as db:
        rows = db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
        return [{"actor": r.actor, "actor_id": r.actor_id, **json.loads(r.details_json or "{}")} for r in rows]


def page_text(visitor: Visitor, response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_the_sign_in_page_offers_each_provider_by_its_display_name(visitor: Visitor) -> None:
    html = visitor.get("/login?lang=uk").get_data(as_text=True)
    for title in ("Тест-ID", "Суворий ID", "Самозванець", "Недоступний ID"):
        assert f"Увійти через {title}" in html
    assert 'href="/login/testid"' in html
    assert "Sign in with Test-ID" in visitor.get("/login?lang=en").get_data(as_text=True)


def test_the_first_sign_in_makes_a_citizens_account_from_the_verified_claims(
    visitor: Visitor, idp: Provider, platform: Platform
) -> None:
    before = accounts(platform)
    sub = idp.person(**OKSANA)
    reply = visitor.sign_in(sub)
    assert reply.status_code == 302 and reply.headers["Location"] == "/"
    assert visitor.signed_in_as() == "Оксана Іванівна Петренко"
    assert accounts(platform) == before + 1
    account = account_of(platform, "testid", sub)
    assert account is not None
    assert account["role"] == "citizen"
    assert account["username"].startswith("testid-") and sub not in account["username"]
    assert (account["email"], account["email_verified"]) == ("oksana@example.com", True)
    assert (account["phone"], account["tax_number"]) == ("+380501234567", "3012345678")
    assert account["verified"] == {
        "email": "oksana@example.com",
        "family_name": "Петренко",
        "full_name": "Оксана Іванівна Петренко",
        "given_name": "Оксана",
        "middle_name": "Іванівна",
        "phone": "+380501234567",
        "provider": "testid",
        "tax_number": "3012345678",
    }
    assert account["claims"]["rnokpp"] == "3012345678" and "nonce" not in account["claims"]
    assert [e["provider"] for e in audited(platform, "auth.signed_up")] == ["testid"]
    signed_in = audited(platform, "auth.signed_in")
    assert [(e["actor_id"], e["provider"], e["method"]) for e in signed_in] == [(account["id"], "testid", "oidc")]


def test_later_sign_ins_open_the_same_account_and_take_what_changed(
    app: Flask, visitor: Visitor, idp: Provider, platform: Platform
) -> None:
    sub = idp.person(**OKSANA)
    assert visitor.sign_in(sub).status_code == 302
    first = account_of(platform, "testid", sub)
    count = accounts(platform)
    # She marries and takes her husband's name; the provider no longer sends an e-mail, nor a phone.
    changed = {k: v for k, v in OKSANA.items() if not k.startswith(("email", "phone"))}
    idp.person(sub, **{**changed, "name": "Оксана Іванівна Коваль", "family_name": "Коваль"})
    again = Visitor(app.test_client(), idp)
    assert again.sign_in(sub).status_code == 302
    assert again.signed_in_as() == "Оксана Іванівна Коваль"
    now = account_of(platform, "testid", sub)
    assert first is not None and now is not None
    assert accounts(platform) == count and now["id"] == first["id"]
    assert now["full_name"] == "Оксана Іванівна Коваль"
    assert now["verified"]["family_name"] == "Коваль"
    assert (now["email"], now["email_verified"], now["verified"]["email"]) == (
        "oksana@example.com",
        True,
        OKSANA["email"],
    )
    assert now["phone"] == "+380501234567"
    assert len(audited(platform, "auth.signed_in")) == 2 and len(audited(platform, "auth.signed_up")) == 1


def test_the_same_e_mail_at_another_provider_is_another_account(
    app: Flask, visitor: Visitor, idp: Provider, platform: Platform
) -> None:
    """Never merged by e-mail: the strict provider's person with Oksana's e-mail gets an account of their own."""
    sub = idp.person(**OKSANA)
    assert visitor.sign_in(sub).status_code == 302
    other = Visitor(app.test_client(), idp)
    assert other.sign_in(sub, "strict").status_code == 302
    first, second = account_of(platform, "testid", sub), account_of(platform, "strict", sub)
    assert first is not None and second is not None and first["id"] != second["id"]


def test_a_wrong_state_is_refused_and_creates_nothing(visitor: Visitor, idp: Provider, platform: Platform) -> None:
    before = accounts(platform)
    sub = idp.person(**OKSANA)
    callback = idp.authorize(visitor.begin(), sub)
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {"state": "forged-state"}
    reply = visitor.get(f"{parts.path}?{urlencode(query)}")
    assert reply.status_code == 400
    assert "This sign-in has expired or was already used. Start signing in with Test-ID again." in page_text(
        visitor, reply
    )
    assert 'href="#providers"' in page_text(visitor, reply)
    assert visitor.signed_in_as() is None
    assert accounts(platform) == before and account_of(platform, "testid", sub) is None
    assert [e["reason"] for e in audited(platform, "auth.sign_in_failed")] == ["state_mismatch"]


def test_a_callback_used_twice_or_a_replayed_code_is_refused(
    app: Flask, visitor: Visitor, idp: Provider, platform: Platform
) -> None:
    sub = idp.person(**OKSANA)
    callback = path_of(idp.authorize(visitor.begin(), sub))
    assert visitor.get(callback).status_code == 302  # signed in
    count = accounts(platform)
    # The same answer again, in another browser: it began no sign-in.
    thief = Visitor(app.test_client(), idp)
    again = thief.get(callback)
    assert again.status_code == 400 and "already used" in page_text(thief, again)
    # The used code under a sign-in the thief really began: the provider refuses the code.
    state = parse_qs(urlsplit(thief.begin()).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    replayed = thief.get(f"/login/testid/callback?{urlencode({'code': code, 'state': state})}")
    assert replayed.status_code == 400
    assert "Test-ID did not confirm this sign-in. Start signing in with Test-ID again." in page_text(thief, replayed)
    assert thief.signed_in_as() is None and accounts(platform) == count
    refused = audited(platform, "auth.sign_in_failed")
    assert [e["reason"] for e in refused] == ["state_mismatch", "code_rejected"]
    assert "invalid_grant" in refused[1]["detail"]


def test_an_id_token_signed_with_another_key_is_refused(
    visitor: Visitor, impostor_idp: Provider, platform: Platform
) -> None:
    before = accounts(platform)
    sub = impostor_idp.person(**OKSANA)
    reply = visitor.sign_in(sub, "impostor", idp=impostor_idp)
    assert reply.status_code == 400
    assert "The answer from Самозванець could not be checked, so you are not signed in." in page_text(visitor, reply)
    assert visitor.signed_in_as() is None
    assert accounts(platform) == before and account_of(platform, "impostor", sub) is None
    [failed] = audited(platform, "auth.sign_in_failed")
    assert (failed["provider"], failed["reason"]) == ("impostor", "invalid_token")
    assert "BadSignatureError" in failed["detail"]


def test_an_expired_id_token_is_refused(visitor: Visitor, idp: Provider, platform: Platform) -> None:
    """The provider's tokens live an hour; the platform's clock says two hours have passed when the answer comes."""
    before = accounts(platform)
    sub = idp.person(**OKSANA)
    callback = path_of(idp.authorize(visitor.begin(), sub))
    platform.clock = FakeClock(datetime.now(UTC) + timedelta(hours=2))
    reply = visitor.get(callback)
    assert reply.status_code == 400
    assert "The answer from Test-ID has expired. Start signing in with Test-ID again." in page_text(visitor, reply)
    assert accounts(platform) == before and account_of(platform, "testid", sub) is None
    assert [e["reason"] for e in audited(platform, "auth.sign_in_failed")] == ["token_expired"]


def test_a_provider_that_does_not_answer_is_named_and_nothing_is_created(visitor: Visitor, platform: Platform) -> None:
    before = accounts(platform)
    reply = visitor.get("/login/down")
    assert reply.status_code == 503
    html = page_text(visitor, reply)
    assert "Недоступний ID is not answering at the moment. Try again later or sign in another way." in html
    assert '<form method="post" action="/login"' in html  # the other ways in are still there
    assert accounts(platform) == before
    [failed] = audited(platform, "auth.sign_in_failed")
    assert (failed["provider"], failed["reason"]) == ("down", "provider_unavailable")


def test_a_provider_that_goes_down_before_its_answer_arrives(settings: Settings, platform: Platform) -> None:
    """The person signed in at the provider, which then stopped: the code cannot be exchanged."""
    brief = start_provider()
    try:
        env = {"POSLUHY_OIDC_PROVIDERS": "brief", "POSLUHY_OIDC_BRIEF_ISSUER": brief.issuer}
        env |= {"POSLUHY_OIDC_BRIEF_CLIENT_ID": "posluhy", "POSLUHY_OIDC_BRIEF_DISPLAY_NAME": "Короткий ID"}
        env |= {"POSLUHY_OIDC_BRIEF_TIMEOUT": "3"}
        app = create_app(dataclasses.replace(settings, oidc_providers=providers_from_env(env)), platform=platform)
        visitor = Visitor(app.test_client(), brief)
        sub = brief.person(**OKSANA)
        callback = brief.authorize(visitor.begin("brief"), sub)
    finally:
        stop(brief)
    before = accounts(platform)
    reply = visitor.get(path_of(callback))
    assert reply.status_code == 503
    assert "Короткий ID is not answering at the moment." in page_text(visitor, reply)
    assert visitor.signed_in_as() is None and accounts(platform) == before
    [failed] = audited(platform, "auth.sign_in_failed")
    assert (failed["reason"], failed["provider"]) == ("provider_unavailable", "brief")
    assert "ConnectionError" in failed["detail"]


def test_cancelling_at_the_provider_comes_back_signed_out(visitor: Visitor, idp: Provider, platform: Platform) -> None:
    before = accounts(platform)
    callback = idp.authorize(visitor.begin(), "", deny=True)
    reply = visitor.get(path_of(callback))
    assert reply.status_code == 400
    assert "Signing in with Test-ID was cancelled. You are not signed in." in page_text(visitor, reply)
    assert accounts(platform) == before
    assert [e["reason"] for e in audited(platform, "auth.sign_in_failed")] == ["cancelled"]


def test_a_subject_the_platform_cannot_keep_is_refused(visitor: Visitor, idp: Provider, platform: Platform) -> None:
    before = accounts(platform)
    sub = idp.person("x" * 300, **OKSANA)
    reply = visitor.sign_in(sub)
    assert reply.status_code == 400
    assert "Test-ID did not say who you are, so you are not signed in." in page_text(visitor, reply)
    assert accounts(platform) == before
    assert [e["reason"] for e in audited(platform, "auth.sign_in_failed")] == ["missing_subject"]


def test_a_provider_that_must_verify_the_e_mail_but_did_not_is_refused(
    visitor: Visitor, idp: Provider, platform: Platform
) -> None:
    before = accounts(platform)
    sub = idp.person(**{**OKSANA, "email_verified": False})
    reply = visitor.sign_in(sub, "strict")
    assert reply.status_code == 400
    assert "Суворий ID has not confirmed your email address." in page_text(visitor, reply)
    assert accounts(platform) == before and account_of(platform, "strict", sub) is None
    # The ordinary provider takes the same person, with the e-mail as a contact nobody vouched for.
    assert visitor.sign_in(sub).status_code == 302
    account = account_of(platform, "testid", sub)
    assert account is not None and (account["email"], account["email_verified"]) == ("oksana@example.com", False)
    assert "email" not in account["verified"]


def test_a_closed_account_does_not_open_through_its_provider(
    app: Flask, visitor: Visitor, idp: Provider, platform: Platform
) -> None:
    sub = idp.person(**OKSANA)
    assert visitor.sign_in(sub).status_code == 302
    with unit_of_work(platform.write_sessions) as db:
        identity = db.scalar(select(ExternalIdentity).where(ExternalIdentity.subject == sub))
        assert identity is not None
        identity.user.active = False
    later = Visitor(app.test_client(), idp)
    reply = later.sign_in(sub)
    assert reply.status_code == 403
    assert "This account has been closed." in page_text(later, reply)
    assert later.signed_in_as() is None
    assert [e["reason"] for e in audited(platform, "auth.sign_in_failed")] == ["deactivated"]


def test_sign_in_comes_back_to_the_page_that_asked_for_it(visitor: Visitor, idp: Provider) -> None:
    sub = idp.person(**OKSANA)
    callback = idp.authorize(visitor.begin(next_page="/my/applications"), sub)
    assert visitor.get(path_of(callback)).headers["Location"] == "/my/applications"
    elsewhere = Visitor(visitor.client.application.test_client(), idp)
    callback = idp.authorize(elsewhere.begin(next_page="//evil.example/"), sub)
    assert elsewhere.get(path_of(callback)).headers["Location"] == "/"


def test_another_host_finishes_a_sign_in_this_one_began(
    app: Flask, settings: Any, platform: Platform, visitor: Visitor, idp: Provider
) -> None:
    """State, nonce and the PKCE verifier travel in the signed session cookie, not in any one host's memory."""
    other_platform = Platform.from_settings(settings)
    other_host = create_app(settings, platform=other_platform)
    sub = idp.person(**OKSANA)
    callback = path_of(idp.authorize(visitor.begin(), sub))
    there = other_host.test_client()
    cookie = visitor.client.get_cookie("session")
    assert cookie is not None
    there.set_cookie("session", cookie.value)
    reply = there.get(callback)
    other_platform.engine.dispose()
    assert reply.status_code == 302, reply.get_data(as_text=True)
    assert account_of(platform, "testid", sub) is not None
