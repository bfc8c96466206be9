"""Reference numbers: ten digits shown as `NNNNN-NNNNN`, random (they reveal nothing about other
applications) and ending in a Verhoeff check digit, which catches every single-digit typo and every
swap of two neighbouring digits."""

from __future__ import annotations

import secrets

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)
BODY_DIGITS = 9


def check_digit(body: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def is_valid(digits: str) -> bool:
    if len(digits) != BODY_DIGITS + 1 or not digits.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def new_reference() -> str:
    """A fresh random reference; the first digit is never 0 so it survives spreadsheets."""
    body = str(secrets.randbelow(9 * 10 ** (BODY_DIGITS - 1)) + 10 ** (BODY_DIGITS - 1))
    return format_reference(body + check_digit(body))


def format_reference(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:]}"


def normalise_reference(text: str) -> str | None:
    """Accept what people type (spaces, dashes, dots); None when it cannot be a valid reference."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not is_valid(digits) or len(digits) != len("".join(c for c in text if c.isalnum())):
        return None
    return format_reference(digits)
