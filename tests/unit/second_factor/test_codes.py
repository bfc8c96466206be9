"""The second factor's rules without a database: which codes open it, once each, and how recovery codes look."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from engine.models import SecondFactor, User
from engine.services.admin import second_factor
from engine.services.admin.second_factor import Enrolment, Method

NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


def factor(**overrides: object) -> SecondFactor:
    found = SecondFactor(user_id=1, totp_secret=pyotp.random_base32(), recovery_codes_json="[]", confirmed_at=NOW)
    found.last_used_step = 0
    for name, value in overrides.items():
        setattr(found, name, value)
    return found


def code(f: SecondFactor, moment: datetime) -> str:
    return pyotp.TOTP(f.totp_secret).at(moment)


def test_the_current_code_and_its_neighbours_open_it_once() -> None:
    f = factor()
    assert second_factor._use(f, code(f, NOW), NOW) is Method.TOTP
    assert second_factor._use(f, code(f, NOW), NOW) is None  # the same step again
    assert second_factor._use(f, code(f, NOW - timedelta(seconds=30)), NOW) is None  # an earlier step
    assert second_factor._use(f, code(f, NOW + timedelta(seconds=30)), NOW) is Method.TOTP  # a fast phone


def test_codes_further_than_one_step_away_are_refused() -> None:
    f = factor()
    assert second_factor._use(f, code(f, NOW + timedelta(seconds=90)), NOW) is None
    assert second_factor._use(f, code(f, NOW - timedelta(seconds=90)), NOW) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦"])
def test_what_is_not_six_digits_is_no_code(typed: str) -> None:
    assert second_factor._matching_step(factor(), typed, NOW) is None


def test_spaces_inside_a_code_are_ignored() -> None:
    f = factor()
    typed = code(f, NOW)
    assert second_factor._use(f, f"{typed[:3]} {typed[3:]}", NOW) is Method.TOTP


def test_recovery_codes_are_ten_hashes_each_usable_once() -> None:
    f = factor()
    codes = second_factor._new_recovery_codes(f)
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    stored = json.loads(f.recovery_codes_json)
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(c in f.recovery_codes_json for c in codes)

    assert second_factor._use(f, codes[2].upper(), NOW) is Method.RECOVERY_CODE
    assert second_factor._use(f, codes[2], NOW) is None
    assert len(json.loads(f.recovery_codes_json)) == 9


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abcd-efgh-jkmn", "abcd-efgh-jkmn"),
        (" ABCD EFGH JKMN ", "abcd-efgh-jkmn"),
        ("abcdefghjkmn", "abcd-efgh-jkmn"),
        ("abcd-efgh-jkm", None),
        ("abcd-efgh-jkm0", None),  # 0 is never in a recovery code
    ],
)
def test_recovery_codes_are_read_whatever_the_spacing(typed: str, expected: str | None) -> None:
    assert second_factor.canonical_recovery_code(typed) == expected


def test_the_enrolment_names_the_issuer_and_the_account() -> None:
    user = User(username="lubny.cnap")
    enrolment = second_factor._enrolment(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    parts = urlsplit(enrolment.uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Posluhy:lubny.cnap"
    assert parse_qs(parts.query) == {"secret": ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"], "issuer": ["Posluhy"]}
    assert Enrolment("ABCDEFGHIJ", "").grouped_secret == "ABCD EFGH IJ"


def test_which_roles_must_use_it_is_the_settings_choice() -> None:
    assert second_factor.required_for("official", ("official", "admin"))
    assert not second_factor.required_for("citizen", ("official", "admin"))
    assert not second_factor.required_for("admin", ())
