"""Errors the use cases raise; each maps to one clear message and HTTP status in the web layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.forms import FieldError, Form


class NotFoundError(Exception):
    """Missing, or not visible to this person (we never tell which)."""


class ForbiddenError(Exception):
    """Visible, but this person may not do this."""


class ConflictError(Exception):
    """Someone or something got there first; nothing was changed."""


class TaskNotOpenError(ConflictError):
    """The task was already completed or cancelled."""


class TaskClaimedByOtherError(ConflictError):
    """Another official holds the task."""


class ConcurrentUpdateError(ConflictError):
    """The application changed while this request worked on it."""


class VersionHasErrorsError(ConflictError):
    """The service version cannot be published: it has errors, or it is not a draft."""


class VersionNotDraftError(VersionHasErrorsError):
    """The version is published or retired, hence immutable."""


class RefusedError(Exception):
    """A rule refuses the change; `reason` names the rule (each use case's subclass lists its reasons), so the
    page can say which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ValidationFailedError(Exception):
    """Submitted data broke the form's rules; `errors` maps field name to error."""

    def __init__(self, form: Form, errors: dict[str, FieldError]) -> None:
        super().__init__(", ".join(errors))
        self.form = form
        self.errors = errors


class UploadTooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"file is larger than {limit} bytes")
        self.limit = limit


class ServiceUnavailableError(Exception):
    """The service is in the catalog but does not take applications online (yet)."""
