"""Errors: an invalid form definition (for analysts) and an invalid answer to a field (for citizens)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any


class FormDefinitionError(ValueError):
    """A form definition is invalid; the message is English and meant for the analyst who wrote it.

    ``file`` is usually filled in by the caller that knows which file was being read, so the
    attributes stay mutable and ``str()`` is computed on demand.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        element_id: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file: str | None = None if file is None else str(file)
        self.element_id = element_id
        self.field = field

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file)
        if self.element_id is not None:
            parts.append(f"element '{self.element_id}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)

    def __reduce__(self) -> tuple[object, ...]:
        """Keep keyword-only attributes when pickled (e.g. across pytest-xdist workers)."""
        return (_rebuild, (self.message, self.file, self.element_id, self.field))


def _rebuild(message: str, file: str | None, element_id: str | None, field: str | None) -> FormDefinitionError:
    return FormDefinitionError(message, file=file, element_id=element_id, field=field)


class ErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID_INTEGER = "invalid_integer"
    INVALID_DECIMAL = "invalid_decimal"
    INVALID_DATE = "invalid_date"
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    INVALID_CHOICE = "invalid_choice"
    INVALID_BOOLEAN = "invalid_boolean"
    PATTERN = "pattern"
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    MIN_LENGTH = "min_length"
    MAX_LENGTH = "max_length"
    UNKNOWN_ATTACHMENT = "unknown_attachment"
    INVALID_TYPE = "invalid_type"
    UNTRIMMED = "untrimmed"  # API only: a space at either end or a carriage return, which pages would clean
    READ_ONLY = "read_only"  # API only: a field that is shown, not answered
    UNKNOWN_FIELD = "unknown_field"  # API only: no such field; params: label (the key sent)


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One problem with one answer: a code (see :class:`ErrorCode`) and JSON-friendly params such as ``limit``."""

    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", str(self.code))  # a plain str, even when given an ErrorCode

    def to_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldError:
        return cls(code=data["code"], params=dict(data.get("params", {})))
