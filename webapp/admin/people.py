"""People: list and search, a new account with its invitation, the person's page (edit, status, sign-ins)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.wrappers import Response
from wtforms import Form, SelectField, StringField

from engine.services.admin import groups as groups_admin
from engine.services.admin import people as people_admin
from engine.services.admin import second_factor
from engine.services.admin.people import PeopleFilter, PersonChangedError, PersonInput, PersonRefusedError
from engine.services.admin.people_views import PersonView
from webapp.admin import admin
from webapp.admin.people_forms import (
    EditPersonForm,
    EmptyForm,
    NewPersonForm,
    ReasonForm,
    choices,
    locale_label,
    role_label,
)
from webapp.paging import page_number
from webapp.requests import actor, db, platform

STATUSES = ("active", "inactive", "all")


def refusal_message(reason: str) -> str:
    messages: dict[str, str] = {
        "self": _("You cannot deactivate yourself or change your own role: ask another administrator."),
        "last_admin": _("This is the last active administrator: make someone else an administrator first."),
        "username_taken": _("An account with this username already exists: choose another username"),
        "no_email": _("The person has no e-mail address: add one first, then send the invitation."),
        "has_password": _("The person has chosen a password already: there is nothing to accept."),
        "inactive": _("The person is deactivated: reactivate them first."),
    }
    return messages.get(reason, reason)


def errors_of(form: Any) -> dict[str, str]:
    """The first error of each field, in the form's order (the error summary links to `#field-<name>`)."""
    return {field.name: str(field.errors[0]) for field in form if field.errors and field.name != "csrf_token"}


class PeopleFilterForm(Form):  # type: ignore[misc]
    """The list's filters, from the address (a GET form: bookmarkable, no CSRF needed)."""

    q = StringField(lazy_gettext("Name, username or e-mail"))
    role = SelectField(lazy_gettext("Role"), choices=[], validate_choice=False)
    organisation = SelectField(lazy_gettext("Organisation"), choices=[], validate_choice=False)
    status = SelectField(lazy_gettext("Status"), choices=[], validate_choice=False, default="active")


@admin.get("/people")
def people() -> str:
    form = PeopleFilterForm(request.args)
    organisations = groups_admin.organisation_choices(db(), actor())
    form.role.choices = choices([("", _("Any role")), *[(r, role_label(r)) for r in people_admin.ROLES]])
    form.organisation.choices = choices([("", _("Any organisation")), *[(str(i), n) for i, n in organisations]])
    form.status.choices = choices([("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("All"))])
    status = form.status.data if form.status.data in STATUSES else "active"
    organisation = str(form.organisation.data or "")
    found = PeopleFilter(
        text=str(form.q.data or "").strip()[:100],
        role=form.role.data if form.role.data in people_admin.ROLES else "",
        organisation_id=int(organisation) if organisation.isdigit() else None,
        active={"active": True, "inactive": False}.get(status),
    )
    page = people_admin.search(db(), actor(), found, page=page_number())
    query = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("pages/admin/people.html", form=form, page=page, query=query, role_label=role_label)


def _new_form(form: NewPersonForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "pages/admin/person_new.html",
        form=form,
        errors=errors_of(form),
        grouped=groups_admin.group_choices(db(), actor()),
    ), status


def _input(form: Any) -> PersonInput:
    return PersonInput(
        full_name=form.full_name.data,
        email=form.email.data or "",
        phone=form.phone.data or "",
        role=form.role.data,
        locale=form.locale.data,
        group_ids=form.group_ids(),
    )


@admin.route("/people/new", methods=["GET", "POST"])
def person_new() -> Response | tuple[str, int]:
    form = NewPersonForm()
    form.set_group_choices(groups_admin.group_choices(db(), actor()))
    if request.method == "GET":
        form.role.data = form.role.data or "official"
        return _new_form(form)
    if not form.validate():
        return _new_form(form, 422)
    try:
        user_id = people_admin.create_person(db(), platform(), actor(), form.username.data, _input(form))
    except PersonRefusedError as exc:
        form.username.errors = [refusal_message(exc.reason)]
        return _new_form(form, 422)
    if form.send_invitation.data:
        people_admin.invite(db(), platform(), actor(), user_id)
        flash(_("The account was created and the invitation was sent to %(email)s.", email=form.email.data), "success")
    else:
        flash(_("The account was created. It has no password yet: send the invitation when ready."), "success")
    return redirect(url_for("admin.person", user_id=user_id))


def _person_page(person: PersonView, form: EditPersonForm, *, status: int = 200, **extra: Any) -> tuple[str, int]:
    """The person's page; `extra`: typed (what a conflict did not save), refusal, reason_form, reason_errors."""
    context: dict[str, Any] = {
        "typed": None,
        "refusal": None,
        "reason_form": ReasonForm(formdata=None),
        "reason_errors": {},
        **extra,
    }
    return render_template(
        "pages/admin/person.html",
        person=person,
        form=form,
        errors=errors_of(form),
        grouped=groups_admin.group_choices(db(), actor()),
        sign_ins=people_admin.sign_ins(db(), actor(), person.id, page=page_number("sign_ins")),
        button=EmptyForm(formdata=None),
        role_label=role_label,
        locale_label=locale_label,
        **context,
    ), status


def _filled(person: PersonView) -> EditPersonForm:
    form = EditPersonForm(
        formdata=None,
        data={
            "full_name": person.full_name,
            "email": person.email,
            "phone": person.phone,
            "role": person.role,
            "locale": person.locale,
            "groups": person.group_ids,
            "version": str(person.version),
        },
    )
    form.set_group_choices(groups_admin.group_choices(db(), actor()))
    return form


@admin.route("/people/<int:user_id>", methods=["GET", "POST"])
def person(user_id: int) -> Response | tuple[str, int]:
    current = people_admin.get_person(db(), actor(), user_id)
    if request.method == "GET":
        return _person_page(current, _filled(current))
    form = EditPersonForm()
    form.set_group_choices(groups_admin.group_choices(db(), actor()))
    version = str(form.version.data or "")
    if not form.validate() or not version.isdigit():
        return _person_page(current, form, status=422)
    try:
        changed = people_admin.update_person(db(), actor(), user_id, version=int(version), data=_input(form))
    except PersonChangedError:
        typed = {
            _("Full name"): form.full_name.data,
            _("E-mail address"): form.email.data or "",
            _("Phone number"): form.phone.data or "",
            _("Role"): role_label(form.role.data),
        }
        db().rollback()  # the refused UPDATE left the transaction unusable
        fresh = people_admin.get_person(db(), actor(), user_id)
        return _person_page(fresh, _filled(fresh), status=409, typed=typed)
    except PersonRefusedError as exc:
        form.role.errors = [refusal_message(exc.reason)]
        return _person_page(current, form, status=409)
    flash(_("The changes were saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("admin.person", user_id=user_id))


def _refused(user_id: int, reason: str) -> tuple[str, int]:
    """A refused status change or invitation, on the person's page, with the reason at the top."""
    db().rollback()
    current = people_admin.get_person(db(), actor(), user_id)
    return _person_page(current, _filled(current), status=409, refusal=refusal_message(reason))


def _status_change(user_id: int, change: str) -> Response | tuple[str, int]:
    reason_form = ReasonForm()
    if not reason_form.validate():
        current = people_admin.get_person(db(), actor(), user_id)
        return _person_page(
            current, _filled(current), status=422, reason_form=reason_form, reason_errors=errors_of(reason_form)
        )
    try:
        if change == "deactivate":
            released = people_admin.deactivate(db(), actor(), user_id, reason=reason_form.reason.data)
            message = _("The person was deactivated: their sessions and API tokens ended.")
            flash(message + " " + _("Tasks returned to the queue: %(count)d.", count=released), "success")
        else:
            people_admin.reactivate(db(), actor(), user_id, reason=reason_form.reason.data)
            flash(_("The person was reactivated."), "success")
    except PersonRefusedError as exc:
        return _refused(user_id, exc.reason)
    return redirect(url_for("admin.person", user_id=user_id))


@admin.post("/people/<int:user_id>/deactivate")
def person_deactivate(user_id: int) -> Response | tuple[str, int]:
    return _status_change(user_id, "deactivate")


@admin.post("/people/<int:user_id>/reactivate")
def person_reactivate(user_id: int) -> Response | tuple[str, int]:
    return _status_change(user_id, "reactivate")


@admin.post("/people/<int:user_id>/reset-second-factor")
def person_reset_second_factor(user_id: int) -> Response:
    """For someone who lost their device: they enrol again at their next sign-in if their role requires it."""
    if second_factor.reset_for(db(), actor(), user_id):
        flash(_("The second factor was removed. The person sets up a new one at their next sign-in."), "success")
    else:
        flash(_("The person had no second factor."), "success")
    return redirect(url_for("admin.person", user_id=user_id))


@admin.post("/people/<int:user_id>/invite")
def person_invite(user_id: int) -> Response | tuple[str, int]:
    try:
        people_admin.invite(db(), platform(), actor(), user_id)
    except PersonRefusedError as exc:
        return _refused(user_id, exc.reason)
    flash(_("The invitation was sent again."), "success")
    return redirect(url_for("admin.person", user_id=user_id))
