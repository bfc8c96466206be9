"""English error sentences for the CLI and as the web layer's fallback (the web layer translates codes itself)."""

from __future__ import annotations

from typing import Final

from engine.forms.errors import ErrorCode, FieldError
from engine.forms.model import CHOICE_TYPES, Field, FieldType

_TEMPLATES: Final[dict[str, str]] = {
    ErrorCode.INVALID_INTEGER: "{label} must be a whole number",
    ErrorCode.INVALID_DECIMAL: "{label} must be a number",
    ErrorCode.INVALID_DATE: "{label} must be a real date, like 31.12.2024",
    ErrorCode.INVALID_EMAIL: "Enter {label} as an email address, like name@example.com",
    ErrorCode.INVALID_PHONE: "Enter {label} as a phone number, like +380501234567",
    ErrorCode.INVALID_CHOICE: "Select one of the offered options for {label}",
    ErrorCode.INVALID_BOOLEAN: "{label} must be answered yes or no",
    ErrorCode.PATTERN: "{label} is not in the expected format",
    ErrorCode.MINIMUM: "{label} must be {limit} or more",
    ErrorCode.MAXIMUM: "{label} must be {limit} or less",
    ErrorCode.MIN_LENGTH: "{label} must be {limit} characters or more",
    ErrorCode.MAX_LENGTH: "{label} must be {limit} characters or fewer",
    ErrorCode.UNKNOWN_ATTACHMENT: "The file for {label} was not found; upload it again",
    ErrorCode.INVALID_TYPE: "{label} has the wrong kind of value",
    ErrorCode.UNTRIMMED: "{label} must not begin or end with a space or contain carriage returns",
    ErrorCode.READ_ONLY: "{label} is shown read-only; leave it out of the data",
    ErrorCode.UNKNOWN_FIELD: "{label} is not a field of this form",
}
_MULTICHOICE_TEMPLATES: Final[dict[str, str]] = {
    ErrorCode.MIN_LENGTH: "Select at least {limit} options for {label}",
    ErrorCode.MAX_LENGTH: "Select at most {limit} options for {label}",
}


def _required(field: Field) -> str:
    if field.type in CHOICE_TYPES:
        return "Select {label}"
    if field.type is FieldType.BOOLEAN:
        return "Answer {label}"
    if field.type is FieldType.FILE:
        return "Upload {label}"
    return "Enter {label}"


def english_message(field: Field, error: FieldError) -> str:
    """A clear English sentence naming the field, e.g. "Enter Surname"."""
    label = field.label.get("en")
    if error.code == ErrorCode.REQUIRED:
        template = _required(field)
    elif field.type is FieldType.MULTICHOICE and error.code in _MULTICHOICE_TEMPLATES:
        template = _MULTICHOICE_TEMPLATES[error.code]
    else:
        template = _TEMPLATES.get(error.code, "{label} is not valid ({code})")
    limit = error.params.get("limit", "")
    return template.format(label=label, limit=limit, code=error.code)
