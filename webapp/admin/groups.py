"""Groups: listed by organisation, created and edited (with the version shown), members added and removed."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.admin import groups as groups_admin
from engine.services.admin.groups import GroupChangedError, GroupInput, GroupRefusedError, GroupView
from webapp.admin import admin
from webapp.admin.people import errors_of
from webapp.admin.people_forms import GroupForm, MembersForm, choices
from webapp.requests import actor, db


def _refusal(reason: str) -> str:
    messages: dict[str, str] = {
        "slug_taken": _("Another group has this short name: choose another"),
        "unknown_organisation": _("Choose the organisation"),
        "unknown_person": _("Enter the usernames of existing people, separated by spaces or commas"),
    }
    return messages.get(reason, reason)


def _field_of(form: GroupForm, reason: str) -> Any:
    return form.organisation_id if reason == "unknown_organisation" else form.slug


@admin.get("/groups")
def groups() -> str:
    return render_template("pages/admin/groups.html", organisations=groups_admin.by_organisation(db(), actor()))


def _group_form(*, submitted: bool = False, **data: Any) -> GroupForm:
    """The form as sent (`submitted`), or filled with `data`."""
    form = GroupForm() if submitted else GroupForm(formdata=None, data=data)
    form.organisation_id.choices = choices(groups_admin.organisation_choices(db(), actor()))
    return form


@admin.route("/groups/new", methods=["GET", "POST"])
def group_new() -> Response | tuple[str, int]:
    if request.method == "GET":
        organisation = request.args.get("organisation", "")
        form = _group_form(organisation_id=int(organisation) if organisation.isdigit() else None)
        return render_template("pages/admin/group_new.html", form=form, errors={}), 200
    form = _group_form(submitted=True)
    if form.validate():
        try:
            group_id = groups_admin.create_group(db(), actor(), _input(form))
        except GroupRefusedError as exc:
            (form.organisation_id if exc.reason == "unknown_organisation" else form.slug).errors = [
                _refusal(exc.reason)
            ]
        else:
            flash(_("The group was created."), "success")
            return redirect(url_for("admin.group", group_id=group_id))
    return render_template("pages/admin/group_new.html", form=form, errors=errors_of(form)), 422


def _input(form: GroupForm) -> GroupInput:
    return GroupInput(
        slug=form.slug.data,
        name=form.name.data,
        organisation_id=int(form.organisation_id.data),
        is_supervisor=bool(form.is_supervisor.data),
        sees_child_organisations=bool(form.sees_child_organisations.data),
    )


def _filled(group: GroupView) -> GroupForm:
    return _group_form(
        slug=group.slug,
        name=group.name,
        organisation_id=group.organisation_id,
        is_supervisor=group.is_supervisor,
        sees_child_organisations=group.sees_child_organisations,
        version=str(group.version),
    )


def _members_form(group: GroupView, *, submitted: bool = False) -> MembersForm:
    form = MembersForm() if submitted else MembersForm(formdata=None, data={"version": str(group.version)})
    form.remove.choices = choices((m.id, m.username) for m in group.members)
    return form


def _page(
    group: GroupView, form: GroupForm, members: MembersForm, *, status: int = 200, conflict: bool = False
) -> tuple[str, int]:
    errors = errors_of(form)
    member_errors = errors_of(members)
    return render_template(
        "pages/admin/group.html",
        group=group,
        form=form,
        members=members,
        errors=errors,
        member_errors=member_errors,
        conflict=conflict,
    ), status


@admin.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group(group_id: int) -> Response | tuple[str, int]:
    current = groups_admin.get_group(db(), actor(), group_id)
    if request.method == "GET":
        return _page(current, _filled(current), _members_form(current))
    form = _group_form(submitted=True)
    version = str(form.version.data or "")
    if not form.validate() or not version.isdigit():
        return _page(current, form, _members_form(current), status=422)
    try:
        changed = groups_admin.update_group(db(), actor(), group_id, version=int(version), data=_input(form))
    except GroupChangedError:
        db().rollback()
        fresh = groups_admin.get_group(db(), actor(), group_id)
        return _page(fresh, _filled(fresh), _members_form(fresh), status=409, conflict=True)
    except GroupRefusedError as exc:
        _field_of(form, exc.reason).errors = [_refusal(exc.reason)]
        return _page(current, form, _members_form(current), status=422)
    flash(_("The group was saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("admin.group", group_id=group_id))


@admin.post("/groups/<int:group_id>/members")
def group_members(group_id: int) -> Response | tuple[str, int]:
    current = groups_admin.get_group(db(), actor(), group_id)
    members = _members_form(current, submitted=True)
    version = str(members.version.data or "")
    if not members.validate() or not version.isdigit():
        return _page(current, _filled(current), members, status=422)
    try:
        added, removed = groups_admin.change_members(
            db(),
            actor(),
            group_id,
            version=int(version),
            add=members.usernames(),
            remove=list(members.remove.data or []),
        )
    except GroupChangedError:
        db().rollback()
        fresh = groups_admin.get_group(db(), actor(), group_id)
        return _page(fresh, _filled(fresh), _members_form(fresh), status=409, conflict=True)
    except GroupRefusedError as exc:
        members.add.errors = [_refusal(exc.reason)]
        return _page(current, _filled(current), members, status=422)
    if added or removed:
        flash(_("Members added: %(added)d; removed: %(removed)d.", added=len(added), removed=len(removed)), "success")
    else:
        flash(_("Nothing was changed."), "success")
    return redirect(url_for("admin.group", group_id=group_id))
