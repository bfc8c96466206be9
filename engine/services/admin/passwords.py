"""The password policy of local accounts: long enough, not too long, and not guessable.

Guessable is judged by zxcvbn (common passwords, dictionary words, keyboard patterns, dates, and the person's own
name, username and e-mail given as `user_inputs`): a score below MIN_SCORE is refused. The policy answers with a
reason code the pages translate; a password itself is never logged, audited or kept anywhere but as an argon2 hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

from zxcvbn import zxcvbn  # type: ignore[import-untyped]

MIN_LENGTH: Final = 10
MAX_LENGTH: Final = 200
"""Long enough for any passphrase, short enough that hashing it is cheap (and zxcvbn stays fast)."""
ZXCVBN_MAX: Final = 72
"""zxcvbn refuses longer input; a password at least as strong as its first 72 characters is judged by them."""
MIN_SCORE: Final = 3
"""zxcvbn's scale 0–4; 3 means "safely unguessable: moderate protection from offline slow-hash attacks"."""


class PasswordProblem(StrEnum):
    """Why a new password is refused (each has its own message on the pages)."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    SAME_AS_USERNAME = "same_as_username"
    CONTAINS_PERSONAL = "contains_personal"
    TOO_COMMON = "too_common"


def check_password(password: str, *, personal: Iterable[str] = ()) -> PasswordProblem | None:
    """None when `password` may be used; otherwise the first problem found.

    `personal`: the person's username, e-mail address and name, which a password must not be or lean on.
    """
    if not password:
        return PasswordProblem.EMPTY
    if len(password) < MIN_LENGTH:
        return PasswordProblem.TOO_SHORT
    if len(password) > MAX_LENGTH:
        return PasswordProblem.TOO_LONG
    inputs = _personal_inputs(personal)
    folded = password.casefold().strip()
    if folded in inputs:
        return PasswordProblem.SAME_AS_USERNAME
    if any(len(word) >= 4 and word in folded and len(folded) - len(word) <= 4 for word in inputs):
        return PasswordProblem.CONTAINS_PERSONAL  # a name with a digit or two added
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=sorted(inputs))["score"] < MIN_SCORE:
        return PasswordProblem.TOO_COMMON
    return None


def _personal_inputs(personal: Iterable[str]) -> set[str]:
    """Each value whole, the local part of an e-mail address and each word of a name, case-folded."""
    found: set[str] = set()
    for value in personal:
        text = value.casefold().strip()
        if not text:
            continue
        found.add(text)
        if "@" in text:
            found.add(text.split("@", 1)[0])
        found.update(word for word in text.replace(".", " ").replace("-", " ").split() if len(word) >= 3)
    return found
