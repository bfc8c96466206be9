"""The working-day calendar: public holidays on or off, extra days off and transferred working days."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.admin import calendar as calendar_admin
from webapp.admin import admin
from webapp.requests import actor, db, platform

KINDS = ("day_off", "working_day")


def _year() -> int:
    raw = request.args.get("year", "")
    today = platform().clock.now().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today


def _page(year: int, errors: dict[str, str] | None = None, values: dict[str, str] | None = None) -> str:
    overview = calendar_admin.calendar_overview(db(), actor(), year)
    return render_template(
        "pages/admin/calendar.html", overview=overview, errors=errors or {}, values=values or {}, kinds=KINDS
    )


@admin.get("/calendar")
def calendar() -> str:
    return _page(_year())


@admin.post("/calendar/holidays")
def calendar_setting() -> Response:
    value = request.form.get("holidays_are_days_off") == "yes"
    calendar_admin.set_holidays_are_days_off(db(), platform(), actor(), value)
    if value:
        flash(_("Public holidays are now days off for deadlines computed from now on."), "success")
    else:
        flash(_("Public holidays are now working days for deadlines computed from now on."), "success")
    return redirect(url_for("admin.calendar", year=_year()))


@admin.post("/calendar/days")
def calendar_day_add() -> Response | tuple[str, int]:
    values = {k: request.form.get(k, "").strip() for k in ("day", "kind", "note")}
    errors: dict[str, str] = {}
    day: date | None = None
    try:
        day = date.fromisoformat(values["day"])
    except ValueError:
        errors["day"] = _("Enter the date as YYYY-MM-DD, for example 2027-01-08")
    if values["kind"] not in KINDS:
        errors["kind"] = _("Choose whether the day is a day off or a working day")
    if len(values["note"]) > 300:
        errors["note"] = _("The note must be 300 characters or fewer")
    if errors or day is None:
        return _page(_year(), errors, values), 422
    calendar_admin.set_calendar_day(db(), platform(), actor(), day=day, kind=values["kind"], note=values["note"])
    flash(_("The calendar was changed for %(day)s.", day=day.isoformat()), "success")
    return redirect(url_for("admin.calendar", year=day.year))


@admin.post("/calendar/days/<int:day_id>/remove")
def calendar_day_remove(day_id: int) -> Response:
    calendar_admin.remove_calendar_day(db(), actor(), day_id)
    flash(_("The adjustment was removed."), "success")
    return redirect(url_for("admin.calendar", year=_year()))
