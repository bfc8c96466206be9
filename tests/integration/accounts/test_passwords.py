"""Forgotten, changed and set passwords, and signing out everywhere: sessions and API tokens end as they should."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.services.admin.identities import NO_PASSWORD
from engine.services.context import Platform
from engine.store import directory

from .conftest import STRONG, STRONGER, Mailbox, account, audit_rows, body, deliver, link_in, post, sign_in, text

CITIZEN_EMAIL = "citizen@example.org"


def signed_in_client(app: Flask, username: str = "citizen", password: str = "demo") -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 302
    return client


def token(app: Flask, username: str = "citizen", password: str = "demo") -> dict[str, str]:
    reply = app.test_client().post("/api/v1/auth/token", json={"username": username, "password": password})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


def reset_link(app: Flask, platform: Platform, mailbox: Mailbox, login: str = "citizen") -> str:
    assert post(app.test_client(), "/password/forgot", {"login": login}).status_code == 302
    deliver(platform)
    return link_in(mailbox.to(CITIZEN_EMAIL)[-1])


def test_forgotten_password_reset_by_mail_ends_every_session_and_token(
    app: Flask, platform: Platform, mailbox: Mailbox
) -> None:
    other = signed_in_client(app)
    api = token(app)
    assert app.test_client().get("/api/v1/applications", headers=api).status_code == 200

    client = app.test_client()
    link = reset_link(app, platform, mailbox, login="CITIZEN@example.org")
    [mail] = mailbox.to(CITIZEN_EMAIL)
    assert mail["Subject"] == "Новий пароль для «Послуг»"  # the demo citizen's language
    user = account(platform, "citizen")
    assert user is not None
    assert audit_rows(platform, "auth.reset_requested") == [{"actor_id": user.id, "actor": "citizen", "details": {}}]

    page = client.get(link + "?lang=en")
    assert page.status_code == 200 and "Set a new password" in text(page) and "citizen" in text(page)
    done = post(client, link, {"password": STRONG, "confirm": STRONG})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "Sign in with your new password" in text(client.get("/login?lang=en"))

    assert other.get("/account").status_code == 302  # the other browser is signed out
    assert app.test_client().get("/api/v1/applications", headers=api).status_code == 401
    assert sign_in(app.test_client(), "citizen", "demo").status_code == 400
    assert sign_in(app.test_client(), "citizen", STRONG).status_code == 302
    assert [r["actor_id"] for r in audit_rows(platform, "auth.password_reset")] == [user.id]

    deliver(platform)
    assert mailbox.subjects(CITIZEN_EMAIL)[-1] == "Пароль до «Послуг» змінено"
    assert STRONG not in body(mailbox.to(CITIZEN_EMAIL)[-1])

    used = post(app.test_client(), link, {"password": STRONGER, "confirm": STRONGER})
    assert used.status_code == 410 and "already been used" in text(used) and "/password/forgot" in text(used)


def test_a_reset_request_answers_the_same_whether_or_not_the_account_exists(
    app: Flask, platform: Platform, mailbox: Mailbox
) -> None:
    client = app.test_client()
    known = post(client, "/password/forgot", {"login": "citizen"})
    known_page = text(client.get("/account/check-email?lang=en"))
    unknown = post(client, "/password/forgot", {"login": "nobody-here"})
    unknown_page = text(client.get("/account/check-email?lang=en"))
    assert known.status_code == unknown.status_code == 302
    assert known_page.replace("citizen", "X") == unknown_page.replace("nobody-here", "X")
    assert len(audit_rows(platform, "auth.reset_requested")) == 1  # only for the account that exists
    deliver(platform)
    assert len(mailbox.messages) == 1

    empty = post(client, "/password/forgot", {"login": " "})
    assert empty.status_code == 400 and "Enter your email address or username" in text(empty)


def test_a_new_password_must_follow_the_policy_and_match(app: Flask, platform: Platform, mailbox: Mailbox) -> None:
    link = reset_link(app, platform, mailbox)
    client = app.test_client()
    weak = post(client, link, {"password": "qwertyuiop", "confirm": "qwertyuiop"})
    assert weak.status_code == 400 and "too common" in text(weak) and "<title>Error: " in text(weak)
    mismatch = post(client, link, {"password": STRONG, "confirm": STRONGER})
    assert mismatch.status_code == 400 and "The passwords do not match" in text(mismatch)
    assert sign_in(app.test_client(), "citizen", "demo").status_code == 302  # nothing changed
    assert audit_rows(platform, "auth.password_reset") == []


def test_an_expired_reset_link_says_so(app: Flask, platform: Platform, mailbox: Mailbox, clock: FakeClock) -> None:
    link = reset_link(app, platform, mailbox)
    clock.advance(timedelta(hours=1, minutes=1))
    reply = app.test_client().get(link + "?lang=en")
    assert reply.status_code == 410 and "This link has expired" in text(reply) and "/password/forgot" in text(reply)
    assert app.test_client().get("/password/reset/not-a-token?lang=en").status_code == 400


def test_change_password_keeps_this_session_and_ends_the_others(
    app: Flask, platform: Platform, mailbox: Mailbox
) -> None:
    here = signed_in_client(app)
    elsewhere = signed_in_client(app)
    api = token(app)

    wrong = post(here, "/account/password", {"current": "nope", "password": STRONG, "confirm": STRONG})
    assert wrong.status_code == 400 and "Your current password is not right" in text(wrong)
    missing = post(here, "/account/password", {"current": "", "password": STRONG, "confirm": STRONG})
    assert missing.status_code == 400 and "Enter your current password" in text(missing)

    done = post(here, "/account/password", {"current": "demo", "password": STRONG, "confirm": STRONG})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert here.get("/account").status_code == 200  # still signed in here
    assert elsewhere.get("/account").status_code == 302
    assert app.test_client().get("/api/v1/applications", headers=api).status_code == 401
    assert sign_in(app.test_client(), "citizen", STRONG).status_code == 302
    user = account(platform, "citizen")
    rows = audit_rows(platform, "auth.password_changed")
    assert rows == [{"actor_id": user.id, "actor": "citizen", "details": {"first": False}}]  # type: ignore[union-attr]
    deliver(platform)
    assert mailbox.subjects(CITIZEN_EMAIL) == ["Пароль до «Послуг» змінено"]


def test_an_account_without_a_password_can_set_one(app: Flask, platform: Platform) -> None:
    client = signed_in_client(app)
    with unit_of_work(platform.write_sessions) as db:
        user = directory.find_user(db, "citizen")
        assert user is not None
        user.password_hash = NO_PASSWORD  # as an identity provider's account; this session keeps its stamp
    page = client.get("/account/password?lang=en")
    assert "Set a password" in text(page) and 'name="current"' not in text(page)
    done = post(client, "/account/password", {"password": STRONG, "confirm": STRONG})
    assert done.status_code == 302
    assert sign_in(app.test_client(), "citizen", STRONG).status_code == 302
    assert audit_rows(platform, "auth.password_changed")[0]["details"] == {"first": True}


def test_sign_out_everywhere_ends_other_sessions_and_tokens(app: Flask, platform: Platform) -> None:
    here = signed_in_client(app)
    elsewhere = signed_in_client(app)
    api = token(app)
    other_person = signed_in_client(app, "citizen2")

    reply = post(here, "/account/sign-out-everywhere", {})
    assert reply.status_code == 302 and reply.headers["Location"] == "/login"
    assert "You have been signed out everywhere" in text(here.get("/login?lang=en"))
    assert here.get("/account").status_code == 302
    assert elsewhere.get("/account").status_code == 302
    assert app.test_client().get("/api/v1/applications", headers=api).status_code == 401
    assert other_person.get("/account").status_code == 200  # nobody else
    assert [r["actor"] for r in audit_rows(platform, "auth.signed_out_everywhere")] == ["citizen"]
    assert sign_in(app.test_client(), "citizen", "demo").status_code == 302  # the password still works


def test_the_account_page_shows_the_person_and_the_ways_to_change_things(app: Flask) -> None:
    page = text(signed_in_client(app).get("/account?lang=en"))
    assert "Your account" in page and CITIZEN_EMAIL in page and "Not confirmed" in page
    assert 'href="/account/password"' in page
    assert 'action="/account/sign-out-everywhere"' in page
    assert 'href="/account">Account</a>' in page  # in the header
