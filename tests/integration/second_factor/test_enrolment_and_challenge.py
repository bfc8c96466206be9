"""A person turns on the second factor from /account, then signs in with password and code; codes work once."""

from __future__ import annotations

import re
from datetime import timedelta

from engine.clock import FakeClock
from engine.services.context import Platform

from .conftest import CODE_RE, Visitor, audit_rows, code_now, token_in


def test_a_citizen_enrols_and_then_signs_in_with_password_and_code(
    visitor: Visitor, platform: Platform, clock: FakeClock
) -> None:
    assert visitor.sign_in("citizen").status_code == 302
    manage = visitor.client.get("/account/second-factor?lang=en").get_data(as_text=True)
    assert "The second factor is off" in manage

    secret, page = visitor.enrol_page()
    assert '<svg width="' in page and 'class="qr-code"' in page  # the QR code, drawn on the server
    assert "<script" not in page
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page  # the key for typing, grouped
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    again, _page = visitor.enrol_page()
    assert again == secret  # reloading the page keeps the secret the app has already scanned

    wrong = visitor.confirm("000000" if code_now(secret, clock) != "000000" else "111111", page)
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert "<title>Error: " in text and 'role="alert"' in text and 'href="#code"' in text
    assert "The code is not right" in text

    done = visitor.confirm(code_now(secret, clock), page)
    assert done.status_code == 200
    codes = CODE_RE.findall(done.get_data(as_text=True))
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", c) for c in codes)
    assert 'download="posluhy-recovery-codes.txt"' in done.get_data(as_text=True)
    manage = visitor.client.get("/account/second-factor?lang=en").get_data(as_text=True)
    assert "Recovery codes left" in manage and ">10<" in manage

    visitor.sign_out()
    held = visitor.sign_in("citizen", target="/my/applications")
    assert held.status_code == 302 and held.headers["Location"] == "/login/second-factor"
    assert visitor.client.get("/my/applications").status_code == 302  # not signed in yet
    clock.advance(timedelta(seconds=30))
    reply = visitor.answer(code_now(secret, clock))
    assert reply.status_code == 302 and reply.headers["Location"] == "/my/applications"
    assert visitor.client.get("/my/applications").status_code == 200

    signed_in = [(a, who, d.get("method")) for a, who, d in audit_rows(platform, "auth.signed_in", "second_factor.")]
    assert signed_in == [
        ("auth.signed_in", "citizen", "password"),
        ("second_factor.enabled", "citizen", "totp"),
        ("auth.signed_in", "citizen", "password+totp"),
    ]


def test_a_code_is_never_accepted_twice(visitor: Visitor, another: Visitor, clock: FakeClock) -> None:
    visitor.sign_in("citizen")
    secret, _codes = visitor.enrol()
    visitor.sign_out()
    visitor.sign_in("citizen")
    assert visitor.answer(code_now(secret, clock)).status_code == 400  # the step used to enrol

    clock.advance(timedelta(seconds=30))
    code = code_now(secret, clock)
    assert visitor.answer(code).status_code == 302
    another.sign_in("citizen")
    refused = another.answer(code)  # the same code, in the same 30 seconds, from another browser
    assert refused.status_code == 400
    assert "already used" in refused.get_data(as_text=True)
    assert another.answer(code_now(secret, clock, steps=-1)).status_code == 400  # an earlier step neither
    assert another.answer(code_now(secret, clock, steps=1)).status_code == 302  # the next one (clock drift) is fine


def test_a_recovery_code_works_once(visitor: Visitor, another: Visitor, platform: Platform, clock: FakeClock) -> None:
    visitor.sign_in("citizen")
    _secret, codes = visitor.enrol()
    visitor.sign_out()

    visitor.sign_in("citizen")
    page = visitor.client.get("/login/second-factor?lang=en").get_data(as_text=True)
    assert "Use a recovery code instead" in page
    reply = visitor.answer(codes[3].upper().replace("-", " "), recovery=True)  # typed loosely
    assert reply.status_code == 302
    assert "9 recovery codes are left" in visitor.client.get("/?lang=en").get_data(as_text=True)

    another.sign_in("citizen")
    again = another.answer(codes[3], recovery=True)
    assert again.status_code == 400
    assert "has already been used" in again.get_data(as_text=True)
    assert ">9<" in visitor.client.get("/account/second-factor?lang=en").get_data(as_text=True)

    used = [(a, d) for a, _who, d in audit_rows(platform, "second_factor.recovery_code_used", "auth.signed_in")]
    assert used[-2:] == [
        ("second_factor.recovery_code_used", {"left": 9, "purpose": "sign_in"}),
        ("auth.signed_in", {"method": "password+recovery_code"}),
    ]


def test_the_challenge_expires_five_minutes_after_the_password(visitor: Visitor, clock: FakeClock) -> None:
    visitor.sign_in("citizen")
    secret, _codes = visitor.enrol()
    visitor.sign_out()
    visitor.sign_in("citizen")
    page = visitor.client.get("/login/second-factor?lang=en").get_data(as_text=True)

    clock.advance(timedelta(minutes=5, seconds=1))
    reply = visitor.client.post(
        "/login/second-factor?lang=en", data={"code": code_now(secret, clock), "csrf_token": token_in(page)}
    )
    assert reply.status_code == 400
    assert "Your sign-in has expired" in reply.get_data(as_text=True)
    assert visitor.client.get("/my/applications").status_code == 302  # still not signed in
    assert visitor.client.get("/login/second-factor").headers["Location"] == "/login"  # and nothing is held


def test_five_wrong_codes_lock_the_second_factor_for_fifteen_minutes(
    visitor: Visitor, platform: Platform, clock: FakeClock
) -> None:
    visitor.sign_in("citizen")
    secret, _codes = visitor.enrol()
    visitor.sign_out()
    visitor.sign_in("citizen")
    clock.advance(timedelta(seconds=30))
    wrong = "000000" if code_now(secret, clock) != "000000" else "111111"
    for _ in range(5):
        assert visitor.answer(wrong).status_code == 400
    locked = visitor.answer(code_now(secret, clock))  # even the right code, while locked
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in locked.get_data(as_text=True)

    clock.advance(timedelta(minutes=16))
    visitor.sign_in("citizen")
    assert visitor.answer(code_now(secret, clock)).status_code == 302

    found = audit_rows(platform, "auth.sign_in_failed", "auth.locked")
    rows = [(a, d.get("method"), d.get("reason")) for a, _w, d in found]
    assert rows == [
        *[("auth.sign_in_failed", "totp", "wrong_code")] * 5,
        ("auth.locked", "totp", None),
        ("auth.sign_in_failed", "totp", "locked"),
    ]


def test_ukrainian_is_the_default_language_of_the_challenge(visitor: Visitor) -> None:
    visitor.sign_in("citizen")
    visitor.enrol()
    visitor.sign_out()
    visitor.sign_in("citizen")
    page = visitor.client.get("/login/second-factor?lang=uk").get_data(as_text=True)
    assert "Use a recovery code instead" not in page
    assert 'lang="uk"' in page
