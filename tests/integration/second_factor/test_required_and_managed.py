"""Roles that must use a second factor enrol before any page opens; people renew codes or turn the factor off with a
code; an administrator removes the factor of someone who lost their phone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from engine.clock import FakeClock
from engine.db import unit_of_work
from engine.services.admin import second_factor
from engine.services.context import Actor, Platform
from engine.services.errors import ForbiddenError
from engine.store import directory

from .conftest import CODE_RE, Visitor, audit_rows, code_now, require_for, token_in


def test_an_official_whose_role_requires_it_enrols_before_any_staff_page_opens(
    visitor: Visitor, platform: Platform, clock: FakeClock
) -> None:
    require_for(platform, "official", "analyst", "admin")
    held = visitor.sign_in("official", target="/staff/queue")
    assert held.status_code == 302 and held.headers["Location"] == "/account/second-factor/enrol"
    assert visitor.client.get("/staff/queue").headers["Location"].startswith("/login")  # no session yet

    secret, page = visitor.enrol_page()
    assert "Accounts of your role (official) must sign in with a second factor" in page
    assert "You are not signed in until you do" in page
    done = visitor.confirm(code_now(secret, clock), page)
    assert done.status_code == 200
    assert len(CODE_RE.findall(done.get_data(as_text=True))) == 10
    assert 'href="/staff/queue"' in done.get_data(as_text=True)  # on to where the person was going
    assert visitor.client.get("/staff/queue").status_code == 200

    methods = [(a, d.get("method")) for a, _w, d in audit_rows(platform, "auth.signed_in", "second_factor.")]
    assert methods == [("second_factor.enabled", "totp"), ("auth.signed_in", "password+totp")]

    visitor.sign_out()
    assert visitor.sign_in("official").headers["Location"] == "/login/second-factor"  # from now on: the code
    clock.advance(timedelta(seconds=30))
    assert visitor.answer(code_now(secret, clock)).status_code == 302
    assert visitor.client.get("/staff/queue").status_code == 200


def test_enrolling_while_held_must_happen_within_fifteen_minutes(visitor: Visitor, platform: Platform) -> None:
    require_for(platform, "official")
    visitor.sign_in("official")
    _secret, page = visitor.enrol_page()
    visitor.clock.advance(timedelta(minutes=16))
    late = visitor.confirm(code_now(_secret, visitor.clock), page)
    assert late.status_code == 400
    assert "Your sign-in has expired" in late.get_data(as_text=True)
    assert not second_factor_enabled(platform, "official")


def test_a_session_begun_before_the_requirement_ends_at_the_next_page(visitor: Visitor, platform: Platform) -> None:
    assert visitor.sign_in("analyst").status_code == 302
    assert visitor.client.get("/studio/").status_code == 200
    require_for(platform, "analyst")
    reply = visitor.client.get("/studio/")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")
    assert visitor.sign_in("analyst").headers["Location"] == "/account/second-factor/enrol"


def test_citizens_are_not_required_unless_configured(visitor: Visitor, platform: Platform) -> None:
    require_for(platform, "official", "analyst", "admin")
    assert visitor.sign_in("citizen").headers["Location"] == "/"
    assert visitor.client.get("/my/applications").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(visitor: Visitor, another: Visitor, platform: Platform) -> None:
    visitor.sign_in("citizen")
    secret, old = visitor.enrol()
    page = visitor.client.get("/account/second-factor?lang=en").get_data(as_text=True)
    refused = visitor.client.post(
        "/account/second-factor/recovery-codes?lang=en", data={"renew-code": "123", "csrf_token": token_in(page)}
    )
    assert refused.status_code == 400
    assert 'href="#renew-code"' in refused.get_data(as_text=True)

    visitor.clock.advance(timedelta(seconds=30))
    reply = visitor.client.post(
        "/account/second-factor/recovery-codes?lang=en",
        data={"renew-code": code_now(secret, visitor.clock), "csrf_token": token_in(page)},
    )
    assert reply.status_code == 200
    new = CODE_RE.findall(reply.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    another.sign_in("citizen")
    assert another.answer(old[0], recovery=True).status_code == 400
    assert another.answer(new[0], recovery=True).status_code == 302
    assert [a for a, _w, _d in audit_rows(platform, "second_factor.recovery_codes")] == [
        "second_factor.recovery_codes_renewed"
    ]


def test_a_person_turns_the_second_factor_off_with_a_current_code(visitor: Visitor, platform: Platform) -> None:
    visitor.sign_in("citizen")
    secret, _codes = visitor.enrol()
    page = visitor.client.get("/account/second-factor?lang=en").get_data(as_text=True)
    wrong = visitor.client.post(
        "/account/second-factor/disable?lang=en", data={"disable-code": "999999", "csrf_token": token_in(page)}
    )
    assert wrong.status_code == 400
    assert second_factor_enabled(platform, "citizen")

    visitor.clock.advance(timedelta(seconds=30))
    off = visitor.client.post(
        "/account/second-factor/disable?lang=en",
        data={"disable-code": code_now(secret, visitor.clock), "csrf_token": token_in(page)},
    )
    assert off.status_code == 302
    assert "The second factor is off" in visitor.client.get(off.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert visitor.client.get("/my/applications").status_code == 200  # this session goes on
    visitor.sign_out()
    assert visitor.sign_in("citizen").headers["Location"] == "/"  # the password alone again
    disabled = [d for a, _w, d in audit_rows(platform, "second_factor.disabled")]
    assert disabled == [{"by": "person"}]
    failed = [d for a, _w, d in audit_rows(platform, "auth.sign_in_failed")]
    assert failed == [{"method": "totp", "reason": "wrong_code", "purpose": "disable"}]


def test_a_role_that_requires_it_cannot_turn_it_off(visitor: Visitor, platform: Platform) -> None:
    require_for(platform, "official")
    visitor.sign_in("official")
    secret, _codes = visitor.enrol()
    page = visitor.client.get("/account/second-factor?lang=en").get_data(as_text=True)
    assert "cannot be turned off" in page
    visitor.clock.advance(timedelta(seconds=30))
    refused = visitor.client.post(
        "/account/second-factor/disable?lang=en",
        data={"disable-code": code_now(secret, visitor.clock), "csrf_token": token_in(page)},
    )
    assert refused.status_code == 403
    assert second_factor_enabled(platform, "official")


def test_an_administrator_removes_the_second_factor_of_someone_who_lost_their_phone(
    visitor: Visitor, platform: Platform, actor_of: Callable[[str], Actor]
) -> None:
    require_for(platform, "official")
    visitor.sign_in("official")
    visitor.enrol()
    visitor.sign_out()
    official = actor_of("official")
    assert official.user_id is not None

    with unit_of_work(platform.write_sessions) as db, pytest.raises(ForbiddenError):
        second_factor.reset_for(db, actor_of("analyst"), official.user_id)
    with unit_of_work(platform.write_sessions) as db:
        assert second_factor.reset_for(db, actor_of("admin"), official.user_id) is True
    with unit_of_work(platform.write_sessions) as db:
        assert second_factor.reset_for(db, actor_of("admin"), official.user_id) is False  # nothing left to remove

    assert visitor.sign_in("official").headers["Location"] == "/account/second-factor/enrol"  # set it up again
    assert audit_rows(platform, "second_factor.disabled") == [
        ("second_factor.disabled", "admin", {"by": "admin", "user_id": official.user_id, "username": "official"})
    ]


def second_factor_enabled(platform: Platform, username: str) -> bool:
    with unit_of_work(platform.read_sessions) as db:
        user = directory.find_user(db, username)
        assert user is not None
        return second_factor.is_enabled(db, user.id)


def test_the_administrator_removes_it_from_the_persons_page(
    visitor: Visitor, another: Visitor, platform: Platform, actor_of: Callable[[str], Actor]
) -> None:
    visitor.sign_in("official")
    visitor.enrol()
    official = actor_of("official")
    another.sign_in("admin")
    page = another.client.get(f"/admin/people/{official.user_id}?lang=en").get_data(as_text=True)
    assert "On (an authenticator app)" in page and "Remove the second factor" in page

    reply = another.client.post(
        f"/admin/people/{official.user_id}/reset-second-factor?lang=en", data={"csrf_token": token_in(page)}
    )
    assert reply.status_code == 302
    page = another.client.get(reply.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "The second factor was removed" in page and "Remove the second factor" not in page
    assert not second_factor_enabled(platform, "official")
    assert [row[1] for row in audit_rows(platform, "second_factor.disabled")] == ["admin"]
