"""Problems found in a diagram or form, printed as `FILE:ELEMENT_ID: message`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    element_id: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        return f"{self.file}:{self.element_id or '-'}: {prefix}{self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "element": self.element_id, "message": self.message, "severity": self.severity}


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
