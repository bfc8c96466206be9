"""Organisations: the tree, one organisation's page (edited with the version shown), a new organisation."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.services.admin import organisations as organisations_admin
from engine.services.admin.organisations import (
    OrganisationChangedError,
    OrganisationRefusedError,
    OrganisationView,
)
from webapp.admin import admin
from webapp.admin.organisation_forms import KIND_LABELS, OrganisationForm
from webapp.admin.people import errors_of
from webapp.admin.people_forms import choices
from webapp.requests import actor, db


def _refusal(reason: str) -> str:
    messages: dict[str, str] = {
        "bad_slug": _("Use up to 64 small Latin letters, digits and hyphens, like lubny-council"),
        "slug_taken": _("Another organisation has this short name: choose another"),
        "no_name": _("Enter the name in Ukrainian"),
        "too_long": _("This is too long"),
        "bad_kind": _("Choose the kind"),
        "bad_edrpou": _("This is not a valid ЄДРПОУ code: check the digits (the last one is a control digit)"),
        "edrpou_taken": _("Another organisation has this ЄДРПОУ code"),
        "unknown_parent": _("Choose the organisation above it"),
        "own_descendant": _("An organisation cannot stand under itself or under an organisation below it"),
        "parent_kind": _(
            "This kind cannot stand there: a district stands under an oblast, a hromada under a district or an "
            "oblast, a ЦНАП office under a hromada or a district, and an oblast at the top"
        ),
    }
    return messages.get(reason, reason)


@admin.get("/organisations")
def organisations() -> str:
    return render_template(
        "pages/admin/organisations.html", nodes=organisations_admin.tree(db(), actor()), kinds=KIND_LABELS
    )


def _form(*, submitted: bool = False, for_id: int | None = None, **data: Any) -> OrganisationForm:
    """The form as sent (`submitted`), or filled with `data`; the parent choices leave out the organisation's own
    subtree (it cannot stand under itself)."""
    form = OrganisationForm() if submitted else OrganisationForm(formdata=None, data=data)
    parents = organisations_admin.parent_choices(db(), actor(), for_id=for_id)
    form.parent_id.choices = choices([("", _("Nothing: at the top of the tree")), *((str(i), n) for i, n in parents)])
    return form


def _refuse(form: OrganisationForm, exc: OrganisationRefusedError) -> None:
    getattr(form, exc.field, form.slug).errors = [_refusal(exc.reason)]


@admin.route("/organisations/new", methods=["GET", "POST"])
def organisation_new() -> Response | tuple[str, int]:
    if request.method == "GET":
        parent = request.args.get("parent", "")
        form = _form(parent_id=parent if parent.isdigit() else "", active=True)
        return render_template("pages/admin/organisation_new.html", form=form, errors={}), 200
    form = _form(submitted=True)
    if form.validate():
        try:
            organisation_id = organisations_admin.create_organisation(db(), actor(), form.to_input())
        except OrganisationRefusedError as exc:
            _refuse(form, exc)
        else:
            flash(_("The organisation was created."), "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation_id))
    return render_template("pages/admin/organisation_new.html", form=form, errors=errors_of(form)), 422


def _filled(view: OrganisationView) -> OrganisationForm:
    data = asdict(view.values)
    data["parent_id"] = str(view.values.parent_id or "")
    return _form(for_id=view.id, version=str(view.version), **data)


def _page(
    view: OrganisationView, form: OrganisationForm, *, status: int = 200, typed: dict[str, str] | None = None
) -> tuple[str, int]:
    """The organisation's page; `typed` (after a lost save) lists what was entered and differs from now."""
    return render_template(
        "pages/admin/organisation.html",
        organisation=view,
        form=form,
        errors=errors_of(form),
        conflict=typed is not None,
        typed=typed,
        kinds=KIND_LABELS,
    ), status


def _typed(form: OrganisationForm, fresh: OrganisationForm) -> dict[str, str]:
    """What the refused form held where it differs from the organisation as it is now (label → value)."""
    return {
        str(field.label.text): str(field.data if field.data is not None else "")
        for field in form
        if field.name not in ("csrf_token", "version") and field.data != fresh[field.name].data
    }


@admin.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation(organisation_id: int) -> Response | tuple[str, int]:
    current = organisations_admin.get_organisation(db(), actor(), organisation_id)
    if request.method == "GET":
        return _page(current, _filled(current))
    form = _form(submitted=True, for_id=organisation_id)
    version = str(form.version.data or "")
    if not form.validate() or not version.isdigit():
        return _page(current, form, status=422)
    try:
        changed = organisations_admin.update_organisation(
            db(), actor(), organisation_id, version=int(version), data=form.to_input()
        )
    except OrganisationChangedError:
        db().rollback()  # the refused UPDATE left the transaction unusable
        fresh = organisations_admin.get_organisation(db(), actor(), organisation_id)
        filled = _filled(fresh)
        return _page(fresh, filled, status=409, typed=_typed(form, filled))
    except OrganisationRefusedError as exc:
        _refuse(form, exc)
        return _page(current, form, status=422)
    flash(_("The organisation was saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation_id))
