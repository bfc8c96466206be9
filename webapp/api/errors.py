"""Every API error is JSON `{"error": message}` (plus `"errors"` by field for 422), never an HTML page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from engine.forms import FieldError, Form
from engine.services.errors import (
    ConcurrentUpdateError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    TaskClaimedByOtherError,
    TaskNotOpenError,
    UploadTooLargeError,
    ValidationFailedError,
)
from webapp.i18n import field_error_message, too_many_attempts

MESSAGES: dict[int, Any] = {
    400: lazy_gettext("The request is malformed: send a JSON object with the documented fields."),
    401: lazy_gettext("Send a valid token in the Authorization header: Bearer TOKEN."),
    403: lazy_gettext("Your account may not do this."),
    404: lazy_gettext("Not found."),
    405: lazy_gettext("This method is not allowed here."),
    409: lazy_gettext("Someone else changed this first; nothing was saved."),
    413: lazy_gettext("The file is too large."),
    422: lazy_gettext("The data is not valid; see errors by field."),
    500: lazy_gettext("Something went wrong on our side; nothing was saved."),
}


class MissingTokenError(Exception):
    """No (valid) bearer token where one is needed."""


def api_error_body(code: int) -> dict[str, Any]:
    """The body for an HTTP error on an /api/ path (used by the app-wide error handlers too)."""
    return {"error": str(MESSAGES.get(code, MESSAGES[500]))}


def api_error(code: int, message: str | None = None, **extra: Any) -> tuple[Response, int]:
    body = {"error": message} if message else api_error_body(code)
    body.update(extra)
    return jsonify(body), code


def unauthorized(message: str | None = None) -> tuple[Response, int]:
    response, code = api_error(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="posluhy"'
    return response, code


def locked(minutes: int) -> tuple[Response, int]:
    """429 with Retry-After, for an account locked after too many wrong passwords or codes."""
    response, code = api_error(429, too_many_attempts(minutes))
    response.headers["Retry-After"] = str(minutes * 60)
    return response, code


def field_errors(form: Form | None, errors: dict[str, FieldError]) -> dict[str, str]:
    """Translated messages by field name; unknown names keep their name as the label."""
    result = {}
    for name, error in errors.items():
        field = form.field(name) if form is not None and form.has_field(name) else None
        result[name] = field_error_message(field, error)
    return result


def validation_failed(form: Form | None, errors: dict[str, FieldError]) -> tuple[Response, int]:
    return api_error(422, None, errors=field_errors(form, errors))


def conflict_message(exc: ConflictError) -> str:
    if isinstance(exc, TaskNotOpenError):
        return str(_("This task is no longer open: it has already been completed or cancelled."))
    if isinstance(exc, TaskClaimedByOtherError):
        return str(_("Another official has claimed this task."))
    if isinstance(exc, ConcurrentUpdateError):
        return str(_("The application was changed at the same time by someone else; nothing was saved."))
    return str(MESSAGES[409])


def register_error_handlers(blueprint: Blueprint) -> None:
    """Engine errors raised by API views become their JSON answers."""

    @blueprint.errorhandler(MissingTokenError)
    def _auth(_exc: MissingTokenError) -> tuple[Response, int]:
        return unauthorized()

    @blueprint.errorhandler(NotFoundError)
    def _not_found(_exc: NotFoundError) -> tuple[Response, int]:
        return api_error(404)

    @blueprint.errorhandler(ForbiddenError)
    def _forbidden(_exc: ForbiddenError) -> tuple[Response, int]:
        return api_error(403)

    @blueprint.errorhandler(ConflictError)
    def _conflict(exc: ConflictError) -> tuple[Response, int]:
        return api_error(409, conflict_message(exc))

    @blueprint.errorhandler(ValidationFailedError)
    def _invalid(exc: ValidationFailedError) -> tuple[Response, int]:
        return validation_failed(exc.form, exc.errors)

    @blueprint.errorhandler(UploadTooLargeError)
    def _too_large(exc: UploadTooLargeError) -> tuple[Response, int]:
        limit = round(exc.limit / (1024 * 1024), 1)
        return api_error(413, _("The file must be smaller than %(limit)s MB", limit=limit))

    @blueprint.errorhandler(ServiceUnavailableError)
    def _unavailable(_exc: ServiceUnavailableError) -> tuple[Response, int]:
        return api_error(409, _("This service does not take applications online yet."))
