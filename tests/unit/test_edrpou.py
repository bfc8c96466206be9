"""The ЄДРПОУ control digit: real codes pass, one changed digit fails."""

from __future__ import annotations

import pytest

from engine.services.admin.organisations import edrpou_is_valid

REAL = ["14360570", "40075815", "20077720", "21133352", "00032106", "38516849", "00022527"]


@pytest.mark.parametrize("code", REAL)
def test_registered_codes_pass(code: str) -> None:
    assert edrpou_is_valid(code)


@pytest.mark.parametrize("code", REAL)
def test_a_mistyped_control_digit_fails(code: str) -> None:
    wrong = code[:7] + str((int(code[7]) + 1) % 10)
    assert not edrpou_is_valid(wrong)


@pytest.mark.parametrize("code", ["", "1436057", "143605700", "1436057O", "14 60570"])
def test_anything_but_eight_digits_fails(code: str) -> None:
    assert not edrpou_is_valid(code)
