"""Valid answers for any form, generated from each field's type and validation (for `posluhy simulate --auto`).

Every value is checked with the same `clean_form_data` the pages and the API use, so generated data is
exactly as valid as a citizen's; a field whose rules cannot be satisfied raises `UnsatisfiableFieldError`.
"""

from __future__ import annotations

import datetime
import math
import random
import string
from collections.abc import Mapping
from typing import Any, Final

import rstr

from engine.forms import Field, FieldType, Form, clean_form_data
from engine.forms.schema import PHONE_PATTERN

FILE_PLACEHOLDER: Final = "@file:auto.pdf"
ATTEMPTS: Final = 60
_WORDS: Final = ("авто", "дані", "тест", "заява", "Полтава", "Лубни", "Миргород", "sample", "text", "42")
_FIRST_DAY: Final = datetime.date(1950, 1, 1)
_LAST_DAY: Final = datetime.date(2035, 12, 31)


class UnsatisfiableFieldError(ValueError):
    """No generated value passed the field's own validation."""

    def __init__(self, field: Field) -> None:
        super().__init__(f"cannot generate a valid value for field {field.name!r} ({field.type.value})")
        self.field = field


def generate_form_data(form: Form, *, rng: random.Random, prefer: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Raw answers for every input field of the form; `prefer` gives values to use where they are valid."""
    answers: dict[str, Any] = {}
    for field in form.input_fields:
        preferred = (prefer or {}).get(field.name)
        if preferred is not None and _valid(field, preferred):
            answers[field.name] = preferred
        else:
            answers[field.name] = generate_value(field, rng=rng)
    return answers


def generate_value(field: Field, *, rng: random.Random) -> Any:
    """One valid raw value for an input field."""
    for _ in range(ATTEMPTS):
        value = _candidate(field, rng)
        if _valid(field, value):
            return value
    raise UnsatisfiableFieldError(field)


def _valid(field: Field, value: Any) -> bool:
    single = Form.single_page(None, None, (field,))
    _cleaned, errors = clean_form_data(single, {field.name: value}, attachment_exists=lambda _id: True)
    return not errors


def _candidate(field: Field, rng: random.Random) -> Any:
    match field.type:
        case FieldType.INTEGER:
            low, high = _range(field, integer=True)
            return rng.randint(int(low), int(high))
        case FieldType.DECIMAL:
            low, high = _range(field, integer=False)
            return round(rng.uniform(low, high), 2)
        case FieldType.BOOLEAN:
            return rng.random() < 0.5
        case FieldType.DATE:
            span = (_LAST_DAY - _FIRST_DAY).days
            return (_FIRST_DAY + datetime.timedelta(days=rng.randint(0, span))).isoformat()
        case FieldType.CHOICE:
            return rng.choice(field.option_values)
        case FieldType.MULTICHOICE:
            return _subset(field, rng)
        case FieldType.FILE:
            return FILE_PLACEHOLDER
        case _ if field.pattern is not None:
            return rstr.Rstr(rng).xeger(field.pattern)
        case FieldType.EMAIL:
            return f"{_word(rng, string.ascii_lowercase, 3, 10)}@{_word(rng, string.ascii_lowercase, 3, 8)}.example"
        case FieldType.PHONE:
            return rstr.Rstr(rng).xeger(r"\+380\d{9}" if rng.random() < 0.9 else PHONE_PATTERN)
        case _:
            return _text(field, rng)


def _range(field: Field, *, integer: bool) -> tuple[float, float]:
    low = field.minimum if field.minimum is not None else (field.maximum - 100 if field.maximum is not None else 0)
    high = field.maximum if field.maximum is not None else low + 100
    if integer:
        return math.ceil(low), math.floor(high)
    return float(low), float(high)


def _subset(field: Field, rng: random.Random) -> list[str]:
    values = list(field.option_values)
    low = max(1, field.min_length or 1)
    high = min(len(values), field.max_length if field.max_length is not None else len(values))
    count = rng.randint(low, max(low, high))
    return rng.sample(values, min(count, len(values)))


def _word(rng: random.Random, alphabet: str, low: int, high: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _text(field: Field, rng: random.Random) -> str:
    low = max(1, field.min_length or 1)
    high = field.max_length if field.max_length is not None else max(low, 40)
    target = rng.randint(low, max(low, min(high, low + 40)))
    words: list[str] = []
    while len(" ".join(words)) < target:
        words.append(rng.choice(_WORDS))
    text = " ".join(words)[:target].strip()
    return text if len(text) >= low else text.ljust(low, "x")
