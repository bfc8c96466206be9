"""Locale choice (Ukrainian first), translated field errors and template helpers for localized content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, g, request, session
from flask_babel import format_datetime, gettext, lazy_gettext, ngettext

from engine.forms import Field, FieldError, LocalText

LOCALES = ("uk", "en")


def select_locale() -> str:
    chosen = request.args.get("lang")
    if request.path.startswith("/api/"):
        # API clients carry no session: ?lang= or Accept-Language, never a cookie.
        g.locale = chosen if chosen in LOCALES else request.accept_languages.best_match(LOCALES, "uk")
        return str(g.locale)
    if chosen in LOCALES:
        session["lang"] = chosen
    locale = session.get("lang")
    if locale not in LOCALES:
        locale = "uk"
    g.locale = locale
    return str(locale)


def current_locale() -> str:
    return str(g.get("locale") or select_locale())


def local(text: LocalText | str | None) -> str:
    """Service-defined text (labels, titles) in the visitor's language, Ukrainian when not translated."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(current_locale())


ERROR_MESSAGES: dict[str, Any] = {
    "required": lazy_gettext("Enter %(label)s"),
    "required_choice": lazy_gettext("Select %(label)s"),
    "required_file": lazy_gettext("Upload %(label)s"),
    "invalid_integer": lazy_gettext("%(label)s must be a whole number"),
    "invalid_decimal": lazy_gettext("%(label)s must be a number"),
    "invalid_date": lazy_gettext("%(label)s must be a real date, for example 27.03.2026"),
    "invalid_email": lazy_gettext("Enter an email address in the correct format, like name@example.com"),
    "invalid_phone": lazy_gettext("Enter a phone number, like +380 50 123 45 67"),
    "invalid_choice": lazy_gettext("Select one of the options for %(label)s"),
    "invalid_boolean": lazy_gettext("Select yes or no for %(label)s"),
    "pattern": lazy_gettext("%(label)s is not in the right format"),
    "minimum": lazy_gettext("%(label)s must be %(limit)s or more"),
    "maximum": lazy_gettext("%(label)s must be %(limit)s or less"),
    "min_length": lazy_gettext("%(label)s must be at least %(limit)s characters"),
    "max_length": lazy_gettext("%(label)s must be %(limit)s characters or fewer"),
    "unknown_attachment": lazy_gettext("The file for %(label)s was not found; upload it again"),
    "invalid_type": lazy_gettext("%(label)s has a value of the wrong type"),
    "upload_too_large": lazy_gettext("The file must be smaller than %(limit)s MB"),
    "unknown_field": lazy_gettext("%(label)s is not a field of this form"),
    "untrimmed": lazy_gettext("%(label)s must not begin or end with a space or contain carriage returns"),
    "read_only": lazy_gettext("%(label)s is shown read-only; leave it out of the data"),
    "verified": lazy_gettext("%(label)s comes from your identity provider and cannot be changed here"),
}
CHOICE_TYPES = {"choice", "multichoice", "boolean"}


def field_error_message(field: Field | None, error: FieldError) -> str:
    label = local(field.label) if field is not None else ""
    code = error.code
    if code == "required" and field is not None:
        if field.type.value in CHOICE_TYPES:
            code = "required_choice"
        elif field.type.value == "file":
            code = "required_file"
    template = ERROR_MESSAGES.get(code, ERROR_MESSAGES["invalid_type"])
    params = {"label": label.lower() if code == "required" else label, **error.params}
    return str(template) % params


def too_many_attempts(minutes: int) -> str:
    """What a locked account (password or second factor) is told, on pages and in the API alike."""
    return str(
        ngettext(
            "Too many failed attempts. Try again in %(num)d minute.",
            "Too many failed attempts. Try again in %(num)d minutes.",
            minutes,
        )
    )


def format_when(value: datetime | None, fmt: str = "dd.MM.yyyy HH:mm") -> str:
    return format_datetime(value, fmt) if value is not None else ""


def setup_i18n(app: Flask) -> None:
    app.jinja_env.globals.update(local=local, current_locale=current_locale, LOCALES=LOCALES)
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = lambda v: format_when(v, "dd.MM.yyyy")
    app.jinja_env.policies["ext.i18n.trimmed"] = True


__all__ = ["gettext"]
