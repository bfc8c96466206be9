"""Escalation rules: list, create, edit and delete (every change and every firing is audited)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.admin import calendar as calendar_admin
from engine.services.admin.calendar import RuleInput
from webapp.admin import admin
from webapp.requests import actor, db, platform

CONDITIONS = ("overdue", "unclaimed")
MAX_DAYS = 365


@admin.get("/escalations")
def escalations() -> str:
    return render_template("pages/admin/escalations.html", rules=calendar_admin.list_rules(db(), actor()))


def _form(rule_id: int | None, values: dict[str, str], errors: dict[str, str]) -> str:
    choices = calendar_admin.rule_choices(db(), actor())
    return render_template(
        "pages/admin/escalation_form.html",
        rule_id=rule_id,
        values=values,
        errors=errors,
        choices=choices,
        conditions=CONDITIONS,
    )


def _values_of(rule: calendar_admin.RuleView | None) -> dict[str, str]:
    if rule is None:
        return {"condition": "overdue", "days": "1", "notify_supervisors": "yes", "active": "yes"}
    return {
        "service_id": str(rule.service_id or ""),
        "element_id": rule.element_id or "",
        "condition": rule.condition,
        "days": str(rule.days),
        "notify_supervisors": "yes" if rule.notify_supervisors else "",
        "reassign_group": rule.reassign_group or "",
        "active": "yes" if rule.active else "",
    }


def _parse(values: dict[str, str]) -> tuple[RuleInput | None, dict[str, str]]:
    choices = calendar_admin.rule_choices(db(), actor())
    errors: dict[str, str] = {}
    service_id = values["service_id"]
    if service_id and service_id not in {str(i) for i, _title in choices.services}:
        errors["service_id"] = _("Choose a service from the list")
    if values["condition"] not in CONDITIONS:
        errors["condition"] = _("Choose when the rule fires")
    days = values["days"]
    if not days.isdigit() or int(days) > MAX_DAYS:
        errors["days"] = _("Enter a whole number of days from 0 to %(max)d", max=MAX_DAYS)
    group = values["reassign_group"]
    if group and group not in {slug for slug, _name in choices.groups}:
        errors["reassign_group"] = _("Choose a group from the list")
    notify = values["notify_supervisors"] == "yes"
    if not notify and not group and "reassign_group" not in errors:
        errors["notify_supervisors"] = _("Choose to notify the supervisors, to reassign the task, or both")
    if errors:
        return None, errors
    return (
        RuleInput(
            service_id=int(service_id) if service_id else None,
            element_id=values["element_id"] or None,
            condition=values["condition"],
            days=int(days),
            notify_supervisors=notify,
            reassign_group=group or None,
            active=values["active"] == "yes",
        ),
        {},
    )


def _submitted() -> dict[str, str]:
    names = ("service_id", "element_id", "condition", "days", "notify_supervisors", "reassign_group", "active")
    return {name: request.form.get(name, "").strip() for name in names}


@admin.get("/escalations/new")
def escalation_new() -> str:
    return _form(None, _values_of(None), {})


@admin.post("/escalations/new")
def escalation_create() -> Response | tuple[str, int]:
    values = _submitted()
    data, errors = _parse(values)
    if data is None:
        return _form(None, values, errors), 422
    calendar_admin.create_rule(db(), platform(), actor(), data)
    flash(_("The escalation rule was created."), "success")
    return redirect(url_for("admin.escalations"))


@admin.get("/escalations/<int:rule_id>")
def escalation_edit(rule_id: int) -> str:
    return _form(rule_id, _values_of(calendar_admin.get_rule(db(), actor(), rule_id)), {})


@admin.post("/escalations/<int:rule_id>")
def escalation_update(rule_id: int) -> Response | tuple[str, int]:
    calendar_admin.get_rule(db(), actor(), rule_id)
    values = _submitted()
    data, errors = _parse(values)
    if data is None:
        return _form(rule_id, values, errors), 422
    calendar_admin.update_rule(db(), platform(), actor(), rule_id, data)
    flash(_("The escalation rule was saved."), "success")
    return redirect(url_for("admin.escalations"))


@admin.post("/escalations/<int:rule_id>/delete")
def escalation_delete(rule_id: int) -> Response:
    calendar_admin.delete_rule(db(), actor(), rule_id)
    flash(_("The escalation rule was deleted."), "success")
    return redirect(url_for("admin.escalations"))
