"""Signed links: they open the account they were made for, once, until they expire; anything else is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.services.admin.accounts import hash_password
from engine.services.admin.links import (
    LIFETIMES,
    LinkExpiredError,
    LinkInvalidError,
    LinkPurpose,
    LinkUsedError,
    make_link_token,
    read_link_token,
)
from engine.services.context import Platform
from engine.store import directory

SECRET = "test-secret"


def _token(platform: Platform, clock: FakeClock, purpose: LinkPurpose) -> str:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, "citizen")
        assert user is not None
        return make_link_token(SECRET, clock, purpose, user)


def test_a_reset_link_works_once_and_not_after_it_expires(platform: Platform) -> None:
    clock = FakeClock()
    token = _token(platform, clock, LinkPurpose.RESET_PASSWORD)
    clock.advance(LIFETIMES[LinkPurpose.RESET_PASSWORD] - timedelta(minutes=1))
    with unit_of_work(platform.write_sessions) as db:
        user = read_link_token(db, SECRET, clock, LinkPurpose.RESET_PASSWORD, token)
        assert user.username == "citizen"
        user.password_hash = hash_password("a new long password")
    with pytest.raises(LinkUsedError), unit_of_work(platform.read_sessions) as db:
        read_link_token(db, SECRET, clock, LinkPurpose.RESET_PASSWORD, token)

    later = _token(platform, clock, LinkPurpose.RESET_PASSWORD)
    clock.advance(LIFETIMES[LinkPurpose.RESET_PASSWORD] + timedelta(seconds=1))
    with pytest.raises(LinkExpiredError), unit_of_work(platform.read_sessions) as db:
        read_link_token(db, SECRET, clock, LinkPurpose.RESET_PASSWORD, later)


def test_a_link_for_one_purpose_or_signed_elsewhere_opens_nothing(platform: Platform) -> None:
    clock = FakeClock()
    token = _token(platform, clock, LinkPurpose.VERIFY_EMAIL)
    with unit_of_work(platform.read_sessions) as db:
        for purpose, secret, text in (
            (LinkPurpose.RESET_PASSWORD, SECRET, token),
            (LinkPurpose.VERIFY_EMAIL, "another-secret", token),
            (LinkPurpose.VERIFY_EMAIL, SECRET, token[:-2] + "xx"),
        ):
            with pytest.raises(LinkInvalidError):
                read_link_token(db, secret, clock, purpose, text)
        assert read_link_token(db, SECRET, clock, LinkPurpose.VERIFY_EMAIL, token).username == "citizen"
