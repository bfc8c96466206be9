"""A step's inline fields (`camunda:formData`) in the same fields-table editor as form documents."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.bpmn.manifest import StepInfo
from engine.forms import FormDefinitionError
from engine.services.errors import NotFoundError
from engine.services.studio import drafts
from engine.services.studio.inline_forms import preview_inline_form
from webapp.requests import actor, db
from webapp.studio import studio
from webapp.studio.editor import EditorTarget, preview_fragment, render_editor, table_post
from webapp.studio.formtable import Table, table_of
from webapp.studio.version_pages import saved_draft


def _step(service_id: str, number: int, element_id: str) -> StepInfo:
    version = drafts.get_version(db(), actor(), service_id, number)
    for step in version.steps:
        if step.element_id == element_id:
            return step
    raise NotFoundError(element_id)


def _target(service_id: str, number: int, step: StepInfo) -> EditorTarget:
    where: dict[str, Any] = {"service_id": service_id, "number": number, "element_id": step.element_id}
    note = _("This step has no form yet: the fields you add become its inline form.")
    if step.form_key:
        note = _("This step uses the form document %(key)s; saving fields here replaces it.", key=step.form_key)
    elif step.form is not None:
        note = _("The fields are saved in the diagram; saving creates a new draft version.")
    return EditorTarget(
        heading=_("Fields of %(step)s", step=step.name),
        back_url=url_for("studio.version", service_id=service_id, number=number) + f"#step-{step.element_id}",
        back_text=_("Back to version %(number)s", number=number),
        save_url=url_for("studio.step_form_save", **where),
        preview_url=url_for("studio.step_form_preview", **where),
        save_text=_("Save the fields as a new draft"),
        parse=preview_inline_form,
        show_title=False,
        json_editor=False,
        note=note,
    )


@studio.get("/services/<service_id>/versions/<int:number>/steps/<element_id>/form")
def step_form(service_id: str, number: int, element_id: str) -> tuple[str, int]:
    step = _step(service_id, number, element_id)
    target = _target(service_id, number, step)
    try:
        form = drafts.inline_form_of(db(), actor(), service_id, number, element_id)
    except FormDefinitionError as exc:
        return render_editor(target, Table(), "", problem=str(exc))
    return render_editor(target, table_of(form) if form is not None else Table(), "", problem=None)


@studio.post("/services/<service_id>/versions/<int:number>/steps/<element_id>/form")
def step_form_save(service_id: str, number: int, element_id: str) -> Response | tuple[str, int]:
    step = _step(service_id, number, element_id)

    def store(document: dict[str, Any]) -> Response:
        return saved_draft(drafts.update_step_form(db(), actor(), service_id, number, element_id, document))

    return table_post(_target(service_id, number, step), store)


@studio.post("/services/<service_id>/versions/<int:number>/steps/<element_id>/form/preview")
def step_form_preview(service_id: str, number: int, element_id: str) -> str:
    return preview_fragment(_target(service_id, number, _step(service_id, number, element_id)))
