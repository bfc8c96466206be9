"""Citizens create an account: sign-up, the confirmation mail and its link, and every refusal on the way."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from engine.clock import FakeClock
from engine.services.context import Platform

from .conftest import (
    STRONG,
    Mailbox,
    account,
    audit_rows,
    body,
    deliver,
    link_in,
    post,
    register,
    sign_in,
    text,
)

OLENA = "olena@example.org"


def test_sign_up_verify_and_be_signed_in(app: Flask, platform: Platform, mailbox: Mailbox) -> None:
    client = app.test_client()
    reply = register(client, "Olena@Example.org ")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/account/check-email")
    page = text(client.get("/account/check-email?lang=en"))
    assert "We have sent an email to Olena@Example.org" in page

    user = account(platform, OLENA)
    assert user is not None and user.email == "Olena@Example.org" and user.email_verified_at is None
    assert user.role == "citizen" and user.full_name == "Олена Петренко"
    [signed_up] = audit_rows(platform, "auth.signed_up")
    assert signed_up == {"actor_id": user.id, "actor": OLENA, "details": {"method": "password"}}

    deliver(platform)
    [mail] = mailbox.to("Olena@Example.org")
    assert mail["Subject"] == "Confirm your email address for Posluhy"  # the page was in English
    assert STRONG not in body(mail)
    link = link_in(mail)

    confirm = client.get(link)  # a mail scanner opening the link changes nothing
    assert confirm.status_code == 200 and "Confirm my email address" in text(confirm)
    assert account(platform, OLENA).email_verified_at is None  # type: ignore[union-attr]

    done = post(client, link, {})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    overview = text(client.get("/account?lang=en"))
    assert "is confirmed" in overview and "Олена Петренко" in overview and "Confirmed" in overview
    assert account(platform, OLENA).email_verified_at is not None  # type: ignore[union-attr]
    assert [r["actor_id"] for r in audit_rows(platform, "auth.email_verified")] == [user.id]

    again = post(app.test_client(), link, {})  # the link works once
    assert again.status_code == 410 and "already been used" in text(again) and "/login" in text(again)

    fresh = app.test_client()
    assert sign_in(fresh, "OLENA@example.org", STRONG).status_code == 302  # the address in any case


def test_an_unverified_account_cannot_sign_in_and_is_told_why(app: Flask, platform: Platform, mailbox: Mailbox) -> None:
    register(app.test_client(), OLENA)
    client = app.test_client()
    wrong = sign_in(client, OLENA, "not the password at all")
    assert wrong.status_code == 400 and "not confirmed" not in text(wrong)  # nothing told without the password

    refused = sign_in(client, OLENA, STRONG)
    assert refused.status_code == 403
    page = text(refused)
    assert "Error: Sign in" in page and "Your email address is not confirmed yet" in page
    assert 'name="email" value="olena@example.org"' in page  # the resend button
    assert client.get("/account").status_code == 302  # not signed in
    failed = audit_rows(platform, "auth.sign_in_failed")
    assert failed[-1]["details"] == {"method": "password", "reason": "email_unverified"}

    resend = post(client, "/account/verify/resend", {"email": OLENA})
    assert resend.status_code == 302
    deliver(platform)
    assert len(mailbox.to(OLENA)) == 2
    assert post(client, link_in(mailbox.to(OLENA)[1]), {}).status_code == 302
    assert client.get("/account").status_code == 200

    token = app.test_client().post("/api/v1/auth/token", json={"username": OLENA, "password": STRONG})
    assert token.status_code == 200  # verified now


def test_the_api_refuses_a_token_to_an_unverified_account(app: Flask) -> None:
    register(app.test_client(), OLENA)
    reply = app.test_client().post("/api/v1/auth/token?lang=en", json={"username": OLENA, "password": STRONG})
    assert reply.status_code == 401
    assert "Confirm your email address first" in reply.get_json()["error"]


def test_registering_an_address_that_has_an_account_reveals_nothing(
    app: Flask, platform: Platform, mailbox: Mailbox
) -> None:
    first = register(app.test_client(), OLENA)
    deliver(platform)
    post(app.test_client(), link_in(mailbox.to(OLENA)[0]), {})
    mailbox.messages.clear()

    client = app.test_client()
    second = register(client, "OLENA@example.org", name="Someone Else", password="violet engine compass drum")
    assert second.status_code == first.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert "We have sent an email to OLENA@example.org" in text(client.get("/account/check-email?lang=en"))
    assert len(audit_rows(platform, "auth.signed_up")) == 1  # no second account
    assert account(platform, OLENA).full_name == "Олена Петренко"  # type: ignore[union-attr]

    deliver(platform)
    [mail] = mailbox.to(OLENA)
    assert mail["Subject"] == "Someone tried to register with your address at Posluhy"  # the owner's language
    assert "/password/reset/" in body(mail)
    assert "violet engine" not in body(mail)


def test_a_demo_address_already_in_use_is_not_revealed_either(app: Flask, platform: Platform, mailbox: Mailbox) -> None:
    existing = account(platform, "citizen")
    assert existing is not None and existing.email
    reply = register(app.test_client(), existing.email)
    assert reply.status_code == 302
    deliver(platform)
    assert [m["Subject"] for m in mailbox.to(existing.email)] == ["Спроба зареєструватися з вашою адресою в «Послугах»"]


def test_sending_the_form_twice_makes_one_account_and_one_mail(
    app: Flask, platform: Platform, mailbox: Mailbox
) -> None:
    client = app.test_client()
    assert register(client, OLENA).status_code == 302
    assert register(client, OLENA).status_code == 302
    deliver(platform)
    assert mailbox.subjects(OLENA) == ["Confirm your email address for Posluhy"]
    assert len(audit_rows(platform, "auth.signed_up")) == 1


def test_bad_input_is_refused_and_what_was_typed_is_kept(app: Flask, platform: Platform) -> None:
    client = app.test_client()
    reply = post(client, "/register", {"full_name": "", "email": "not-an-address", "password": "", "confirm": ""})
    assert reply.status_code == 400
    page = text(reply)
    assert "<title>Error: Create an account" in page
    assert 'role="alert"' in page
    assert 'href="#full_name">Enter your full name' in page
    assert "Enter an email address in the correct format" in page and 'value="not-an-address"' in page
    assert 'href="#password">Enter a password' in page

    mismatch = post(
        client,
        "/register",
        {"full_name": "Олена", "email": OLENA, "password": STRONG, "confirm": STRONG + "x"},
    )
    assert mismatch.status_code == 400
    assert "The passwords do not match" in text(mismatch)
    assert 'value="Олена"' in text(mismatch) and f'value="{OLENA}"' in text(mismatch)
    assert STRONG not in text(mismatch)  # passwords are never put back
    assert account(platform, OLENA) is None


def test_weak_passwords_are_refused_with_the_reason(app: Flask, platform: Platform) -> None:
    client = app.test_client()
    cases = {
        "short1": "at least 10 characters",
        "password123": "too common or too easy to guess",
        "olena@example.org": "must not be your name, username or email address",
        "petrenko2026": "must not be your name or email address with a few characters added",
        "x" * 201: "200 characters or fewer",
    }
    for password, reason in cases.items():
        reply = post(
            client,
            "/register",
            {"full_name": "Олена Petrenko", "email": OLENA, "password": password, "confirm": password},
        )
        assert reply.status_code == 400, password
        assert reason in text(reply), (password, text(reply)[:3000])
    assert account(platform, OLENA) is None
    assert audit_rows(platform, "auth.signed_up") == []


def test_an_expired_confirmation_link_says_so_and_offers_a_new_one(
    app: Flask, platform: Platform, mailbox: Mailbox, clock: FakeClock
) -> None:
    register(app.test_client(), OLENA)
    deliver(platform)
    link = link_in(mailbox.to(OLENA)[0])
    clock.advance(timedelta(days=2, minutes=1))
    for reply in (app.test_client().get(link + "?lang=en"), post(app.test_client(), link, {})):
        assert reply.status_code == 410
        assert "This link has expired" in text(reply) and "/account/verify/resend" in text(reply)
    assert account(platform, OLENA).email_verified_at is None  # type: ignore[union-attr]


def test_a_forged_or_cut_link_does_not_work(app: Flask, platform: Platform, mailbox: Mailbox) -> None:
    register(app.test_client(), OLENA)
    deliver(platform)
    link = link_in(mailbox.to(OLENA)[0])
    for bad in (link[:-3], link + "x", "/account/verify/eyJ1IjoxfQ.forged.sig", link.replace("verify", "verify")[:-1]):
        reply = app.test_client().get(bad + "?lang=en")
        assert reply.status_code == 400 and "This link does not work" in text(reply), bad
    reset_purpose = link.replace("/account/verify/", "/password/reset/")  # a verification link is no reset link
    assert app.test_client().get(reset_purpose + "?lang=en").status_code == 400


def test_resending_answers_the_same_for_any_address(app: Flask, platform: Platform, mailbox: Mailbox) -> None:
    register(app.test_client(), OLENA)
    client = app.test_client()
    known = post(client, "/account/verify/resend", {"email": OLENA})
    unknown = post(client, "/account/verify/resend", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    deliver(platform)
    assert mailbox.to("nobody@example.org") == []
    bad = post(client, "/account/verify/resend", {"email": "nope"})
    assert bad.status_code == 400 and 'value="nope"' in text(bad)


def test_pressing_confirm_twice_is_harmless(app: Flask, platform: Platform, mailbox: Mailbox) -> None:
    register(app.test_client(), OLENA)
    deliver(platform)
    link = link_in(mailbox.to(OLENA)[0])
    client = app.test_client()
    assert post(client, link, {}).headers["Location"] == "/account"
    again = post(client, link, {})
    assert again.status_code == 302 and again.headers["Location"] == "/account"
    assert len(audit_rows(platform, "auth.email_verified")) == 1


def test_registering_again_later_with_the_same_password_sends_a_new_link(
    app: Flask, platform: Platform, mailbox: Mailbox, clock: FakeClock
) -> None:
    register(app.test_client(), OLENA)
    clock.advance(timedelta(hours=1))
    register(app.test_client(), OLENA)
    deliver(platform)
    assert mailbox.subjects(OLENA) == ["Confirm your email address for Posluhy"] * 2
