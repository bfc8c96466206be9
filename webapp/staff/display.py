"""Earlier answers as officials should read them in a form's display fields: labels, dates and file links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from engine.forms import Field, FieldType, Form
from engine.services.cases.views import ApplicationView
from webapp.templating import attachment_link, iso_date, option_label


def readable(field: Field, value: Any) -> Any:
    """One answer in words (Markup for file links); the display macro escapes plain strings."""
    match field.type:
        case FieldType.FILE:
            return attachment_link(value)
        case FieldType.CHOICE:
            return option_label(field, value)
        case FieldType.MULTICHOICE if isinstance(value, list):
            return ", ".join(option_label(field, v) for v in value)
        case FieldType.BOOLEAN if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        case FieldType.DATE:
            return iso_date(value)
        case _:
            return value


def display_context(
    view: ApplicationView, form: Form | None = None, defaults: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The application's data, with each value that answers a known field put in words.

    The read-only fields of ``form`` (the task's form) show the variable of their name, or else their computed
    default (iGov's ``${bankIdlastName} ${bankIdfirstName}``), in words by their own type.
    """
    shown = dict(view.data)
    for section in view.answers:
        for field in section.form.input_fields:
            if field.name in view.data:
                shown[field.name] = readable(field, view.data[field.name])
    for field in form.fields if form else ():
        if not field.readonly:
            continue
        value = view.data.get(field.name)
        if value is None or value == "":
            value = (defaults or {}).get(field.name)
        if value is not None:
            shown[field.name] = readable(field, value)
    return shown
