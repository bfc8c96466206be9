"""Staff invited by an administrator set their first password through the mailed link (the people part sends it;
here the link is made as it does: LinkPurpose.INVITATION to /invitation/<token>)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from flask import Flask

from engine.clock import FakeClock
from engine.config import Settings
from engine.db import unit_of_work
from engine.models import Role
from engine.services.admin.accounts import create_user
from engine.services.admin.identities import NO_PASSWORD
from engine.services.admin.links import LinkPurpose
from engine.services.admin.registration import INVITATION_PATH, link_url
from engine.services.context import Platform
from engine.store import directory
from webapp import create_app

from .conftest import STRONG, STRONGER, account, audit_rows, post, sign_in, text


def invite(platform: Platform, username: str = "h.kovalenko") -> str:
    with unit_of_work(platform.write_sessions) as db:
        user = create_user(
            db,
            username=username,
            password="",
            password_hash=NO_PASSWORD,
            role=Role.OFFICIAL,
            full_name="Ганна Коваленко",
            email="h.kovalenko@example.gov.ua",
        )
        url = link_url(platform, INVITATION_PATH, LinkPurpose.INVITATION, user)
    return url.removeprefix(platform.settings.base_url.rstrip("/"))


def test_the_invited_person_sets_a_password_and_is_signed_in(app: Flask, platform: Platform) -> None:
    link = invite(platform)
    client = app.test_client()
    page = client.get(link + "?lang=en")
    assert page.status_code == 200
    assert "Ганна Коваленко" in text(page) and "h.kovalenko" in text(page)

    weak = post(client, link, {"password": "kovalenko1", "confirm": "kovalenko1"})
    assert weak.status_code == 400 and "must not be your name" in text(weak)
    mismatch = post(client, link, {"password": STRONG, "confirm": STRONGER})
    assert mismatch.status_code == 400 and "do not match" in text(mismatch)

    done = post(client, link, {"password": STRONG, "confirm": STRONG})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    user = account(platform, "h.kovalenko")
    assert user is not None and user.email_verified_at is not None
    assert [r["actor_id"] for r in audit_rows(platform, "auth.invitation_accepted")] == [user.id]
    assert sign_in(app.test_client(), "h.kovalenko", STRONG).status_code == 302

    used = app.test_client().get(link + "?lang=en")
    assert used.status_code == 410 and "already been used" in text(used)
    assert "Ask your administrator for a new invitation" in text(used)


def test_an_expired_or_withdrawn_invitation_says_ask_for_a_new_one(
    app: Flask, platform: Platform, clock: FakeClock
) -> None:
    link = invite(platform)
    clock.advance(timedelta(days=7, minutes=1))
    expired = app.test_client().get(link + "?lang=en")
    assert expired.status_code == 410
    assert "This link has expired" in text(expired) and "Ask your administrator for a new invitation" in text(expired)

    clock.advance(-timedelta(days=7))
    with unit_of_work(platform.write_sessions) as db:
        user = directory.find_user(db, "h.kovalenko")
        assert user is not None
        user.active = False  # deactivated before the link was used
    withdrawn = post(app.test_client(), link, {"password": STRONG, "confirm": STRONG})
    assert withdrawn.status_code == 410
    assert audit_rows(platform, "auth.invitation_accepted") == []
    assert app.test_client().get("/invitation/forged?lang=en").status_code == 400


def test_staff_who_need_a_second_factor_sign_in_after_setting_the_password(
    settings: Settings, platform: Platform, clock: FakeClock
) -> None:
    platform.settings = dataclasses.replace(settings, second_factor_roles=("official",))
    app = create_app(platform.settings, platform=platform)
    link = invite(platform)
    client = app.test_client()
    done = post(client, link, {"password": STRONG, "confirm": STRONG})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302  # the link is no way round the second factor
    assert "set up your second factor" in text(client.get("/login?lang=en"))
