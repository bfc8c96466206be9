"""The audit log for administrators: filter by actor, action, case reference and days; pages of 50; CSV export."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import Form, StringField

from engine.services.admin import audit_log
from engine.services.admin.audit_log import AuditFilter
from webapp.admin import admin
from webapp.paging import page_number
from webapp.requests import actor, db, platform


class AuditFilterForm(Form):  # type: ignore[misc]
    """The filters, from the address (a GET form: bookmarkable, no CSRF needed)."""

    actor = StringField(lazy_gettext("Who (username)"))
    action = StringField(lazy_gettext("Action"))
    reference = StringField(lazy_gettext("Case reference"))
    since = StringField(lazy_gettext("From (day)"))
    until = StringField(lazy_gettext("To (day, included)"))


def _day(value: str | None) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _read(form: AuditFilterForm) -> tuple[AuditFilter, dict[str, str]]:
    """The filter the address asks for, and what is wrong with it (field → message)."""
    errors: dict[str, str] = {}
    since, until = _day(form.since.data), _day(form.until.data)
    if (form.since.data or "").strip() and since is None:
        errors["since"] = _("Enter the first day as a date, for example 2026-03-27")
    if (form.until.data or "").strip() and until is None:
        errors["until"] = _("Enter the last day as a date, for example 2026-03-27")
    if since and until and until < since:
        errors["until"] = _("The last day must be the same as or after the first day")
    found = AuditFilter(
        actor=str(form.actor.data or "").strip()[:150],
        action=str(form.action.data or "").strip()[:60],
        reference=str(form.reference.data or "").strip()[:40],
        since=since,
        until=until,
    )
    return found, errors


@admin.get("/audit")
def audit() -> tuple[str, int]:
    form = AuditFilterForm(request.args)
    found, errors = _read(form)
    page = None if errors else audit_log.search(db(), actor(), found, page=page_number())
    query = {k: v for k, v in request.args.items() if k != "page" and k in form._fields}
    return render_template(
        "pages/admin/audit.html",
        form=form,
        errors=errors,
        page=page,
        query=query,
        has_case_pages="admin.case" in current_app.view_functions,
    ), (400 if errors else 200)


@admin.get("/audit.csv")
def audit_export() -> Response | tuple[str, int]:
    form = AuditFilterForm(request.args)
    found, errors = _read(form)
    if errors:
        return audit()
    body = "".join(audit_log.export_csv(db(), actor(), found))
    name = f"audit-{platform().clock.now().date().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
