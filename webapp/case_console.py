"""The operator console's search page and CSV export, shared by /admin/cases and /staff/cases.

The filters are a GET form (bookmarkable, no CSRF needed); the page and the export read the same filters, so
"export these" exports exactly what the page found.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import Optional

from engine.calendar import KYIV
from engine.services.cache import caches_of
from engine.services.catalog import listing
from engine.services.console import search as console
from engine.services.console.search import CONSOLE_STATUSES, SORTS, CaseQuery, ConsoleCase
from engine.spreadsheets import safe_cell
from webapp.admin.people_forms import choices
from webapp.i18n import current_locale
from webapp.paging import page_number
from webapp.requests import actor, db


def status_label(status: str) -> str:
    labels = {
        "active": _("Active"),
        "waiting": _("Waiting for the citizen"),
        "overdue": _("Overdue"),
        "suspended": _("Suspended"),
        "incident": _("Incident"),
        "completed": _("Completed"),
        "cancelled": _("Cancelled"),
        "error": _("Incident"),
    }
    return str(labels.get(status, status))


class CaseFilterForm(Form):  # type: ignore[misc]
    reference = StringField(lazy_gettext("Reference number"))
    service = SelectField(lazy_gettext("Service"), choices=[], validate_choice=False)
    version = StringField(lazy_gettext("Version"))
    organisation = SelectField(lazy_gettext("Organisation"), choices=[], validate_choice=False)
    status = SelectField(lazy_gettext("Status"), choices=[], validate_choice=False)
    step = SelectField(lazy_gettext("Current step"), choices=[], validate_choice=False)
    assignee = StringField(lazy_gettext("Assignee (username)"))
    applicant = StringField(lazy_gettext("Applicant (name, username or e-mail)"))
    created_from = DateField(lazy_gettext("Created from"), validators=[Optional()])
    created_to = DateField(lazy_gettext("Created up to"), validators=[Optional()])
    closed_from = DateField(lazy_gettext("Closed from"), validators=[Optional()])
    closed_to = DateField(lazy_gettext("Closed up to"), validators=[Optional()])
    sort = SelectField(lazy_gettext("Sort by"), choices=[], validate_choice=False, default="created")
    order = SelectField(lazy_gettext("Order"), choices=[], validate_choice=False, default="desc")


def _day_start(day: date | None, *, next_day: bool = False) -> datetime | None:
    """A date typed in the form is a Kyiv day; "up to" includes the day."""
    if day is None:
        return None
    moment = datetime.combine(day + timedelta(days=1 if next_day else 0), time(0), tzinfo=KYIV)
    return moment.astimezone(UTC)


def filter_form() -> tuple[CaseFilterForm, CaseQuery]:
    """The filters from the address, with their options, and the query they make."""
    form = CaseFilterForm(request.args)
    form.validate()  # a date that is not a date is ignored (its error is shown beside it)
    who = actor()
    locale = current_locale()
    services = listing.list_services(db())
    form.service.choices = choices([("", _("Any service")), *[(s.id, s.title_in(locale)) for s in services]])
    scope = console.console_scope(who)
    organisations = caches_of(db()).directory(db()).organisations
    shown = sorted(
        ((o.id, o.name) for o in organisations.values() if scope is None or o.id in scope), key=lambda o: o[1]
    )
    form.organisation.choices = choices([("", _("Any organisation")), *[(str(i), n) for i, n in shown]])
    form.status.choices = choices([("", _("Any status")), *[(s, status_label(s)) for s in CONSOLE_STATUSES]])
    form.step.choices = choices([("", _("Any step")), *console.step_choices(db(), who)])
    form.sort.choices = choices(
        [
            ("created", _("Created")),
            ("updated", _("Last change")),
            ("reference", _("Reference number")),
            ("status", _("Status")),
            ("service", _("Service")),
        ]
    )
    form.order.choices = choices([("desc", _("Newest or last first")), ("asc", _("Oldest or first first"))])
    version = str(form.version.data or "").strip()
    organisation = str(form.organisation.data or "")
    query = CaseQuery(
        now=console.console_now(db()),  # "overdue" by the platform's clock
        reference=str(form.reference.data or "").strip()[:20],
        service=str(form.service.data or ""),
        version=int(version) if version.isdigit() and len(version) < 7 else None,
        organisation_id=int(organisation) if organisation.isdigit() else None,
        status=form.status.data if form.status.data in CONSOLE_STATUSES else "",
        step=str(form.step.data or "")[:200],
        assignee=str(form.assignee.data or "").strip()[:150],
        applicant=str(form.applicant.data or "").strip()[:100] if who.is_admin else "",
        created_from=_day_start(form.created_from.data),
        created_to=_day_start(form.created_to.data, next_day=True),
        closed_from=_day_start(form.closed_from.data),
        closed_to=_day_start(form.closed_to.data, next_day=True),
        sort=form.sort.data if form.sort.data in SORTS else "created",
        descending=form.order.data != "asc",
    )
    return form, query


def search_page(*, list_endpoint: str, case_endpoint: str, export_endpoint: str) -> str:
    form, query = filter_form()
    page = console.search_cases(db(), actor(), query, page=page_number())
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "pages/console/cases.html",
        form=form,
        page=page,
        query=args,
        statuses=CONSOLE_STATUSES,
        status_label=status_label,
        list_endpoint=list_endpoint,
        case_endpoint=case_endpoint,
        export_endpoint=export_endpoint,
        show_applicant=actor().is_admin,
    )


CSV_COLUMNS = (
    "reference",
    "service",
    "version",
    "organisation",
    "status",
    "current_steps",
    "assignees",
    "due",
    "created_at",
    "submitted_at",
    "closed_at",
)


def export_csv() -> Response:
    """The found cases as CSV (UTF-8 with a BOM, so spreadsheets read Cyrillic); applicants for admins only."""
    _form, query = filter_form()
    with_applicant = actor().is_admin
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, *(["applicant"] if with_applicant else [])])
    for found in console.export_cases(db(), actor(), query):
        cells = [*_csv_row(found), *([found.row.applicant] if with_applicant else [])]
        writer.writerow([safe_cell(cell) for cell in cells])  # names are typed by citizens: never formulas
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=cases.csv"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _csv_row(found: ConsoleCase) -> list[str]:
    row = found.row
    return [
        row.reference,
        row.service_id,
        str(row.version),
        row.organisation,
        found.status,
        "; ".join(t.element_id for t in found.open_tasks),
        "; ".join(t.assignee for t in found.open_tasks if t.assignee),
        "; ".join(t.due_at.isoformat() for t in found.open_tasks if t.due_at),
        row.created_at.isoformat(),
        row.submitted_at.isoformat() if row.submitted_at else "",
        row.closed_at.isoformat() if row.closed_at else "",
    ]
