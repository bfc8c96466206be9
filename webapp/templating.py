"""Template helpers the form macros rely on: option labels, links to attachments and day-first dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from engine.forms import Field
from engine.services.cases.attachments import open_attachment
from engine.services.errors import NotFoundError
from engine.text import clean_html
from webapp.i18n import local
from webapp.requests import actor, db, platform

_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def option_label(field: Field, value: Any) -> str:
    """The visitor-language label of a choice option, or the raw value when it is no longer an option."""
    for option in field.options:
        if option.value == value:
            return local(option.label)
    return "" if value is None else str(value)


def attachment_link(attachment_id: Any) -> Markup:
    """A download link named after the file, or a plain note when this visitor may not see it."""
    if not attachment_id:
        return Markup('<span class="muted">{}</span>').format(_("Not provided"))
    try:
        found = open_attachment(db(), actor(), str(attachment_id), upload_dir=platform().settings.upload_dir)
    except NotFoundError:
        return Markup('<span class="muted">{}</span>').format(_("File not available"))
    href = url_for("citizen.attachment", attachment_id=found.id)
    return Markup('<a href="{}" download>{}</a>').format(href, found.filename)


def iso_date(value: Any) -> str:
    """'2026-03-27' (or a date) → '27.03.2026'; anything else is shown as it is."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str) and (match := _ISO_DATE_RE.fullmatch(value.strip())):
        year, month, day = match.groups()
        return f"{day}.{month}.{year}"
    return "" if value is None else str(value)


def static_html(value: Any) -> Markup:
    """Static text written into a diagram (iGov ``label`` fields hold HTML), sanitised."""
    return Markup(clean_html("" if value is None else str(value)))  # noqa: S704 - nh3 removed anything unsafe


def setup_templating(app: Flask) -> None:
    app.jinja_env.globals.update(option_label=option_label, attachment_link=attachment_link)
    app.jinja_env.filters["iso_date"] = iso_date
    app.jinja_env.filters["static_html"] = static_html
