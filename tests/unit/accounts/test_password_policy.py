"""The password policy: length limits, common and guessable passwords, and the person's own details."""

from __future__ import annotations

import pytest

from engine.services.admin.passwords import MAX_LENGTH, MIN_LENGTH, PasswordProblem, check_password

PERSON = ("olena.petrenko@example.org", "Олена Petrenko", "olena.petrenko@example.org")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", PasswordProblem.EMPTY),
        ("a" * (MIN_LENGTH - 1), PasswordProblem.TOO_SHORT),
        ("Tr0ub4dor", PasswordProblem.TOO_SHORT),
        ("x" * (MAX_LENGTH + 1), PasswordProblem.TOO_LONG),
        ("password123", PasswordProblem.TOO_COMMON),
        ("qwertyuiop", PasswordProblem.TOO_COMMON),
        ("1234567890", PasswordProblem.TOO_COMMON),
        ("iloveyou2026", PasswordProblem.TOO_COMMON),
        ("aaaaaaaaaaaa", PasswordProblem.TOO_COMMON),
        ("OLENA.PETRENKO@example.org", PasswordProblem.SAME_AS_USERNAME),
        ("olena.petrenko", PasswordProblem.SAME_AS_USERNAME),
        ("petrenko2026", PasswordProblem.CONTAINS_PERSONAL),
        ("Petrenko!!", PasswordProblem.CONTAINS_PERSONAL),
    ],
)
def test_refused(password: str, problem: PasswordProblem) -> None:
    assert check_password(password, personal=PERSON) is problem


@pytest.mark.parametrize(
    "password",
    [
        "amber kettle violin harbour",
        "quiet lantern orbit meadow",
        "Київ-Полтава: 3 жовті вагони",
        "t7#Vq9!zLm2@",
        "x" * 4 + "correct horse battery staple",
    ],
)
def test_accepted(password: str) -> None:
    assert check_password(password, personal=PERSON) is None


def test_the_longest_allowed_is_accepted_when_not_guessable() -> None:
    words = "amber kettle violin harbour quiet lantern orbit meadow "
    long = (words * 5)[:MAX_LENGTH]
    assert len(long) == MAX_LENGTH
    assert check_password(long) is None


def test_a_name_is_only_personal_for_its_owner() -> None:
    assert check_password("kettle-harbour-olena", personal=PERSON) is None  # a name among other words is fine
    assert check_password("kettle-harbour-olena", personal=("olena", "olena")) is None
    assert check_password("olena", personal=("Olena",)) is PasswordProblem.TOO_SHORT
