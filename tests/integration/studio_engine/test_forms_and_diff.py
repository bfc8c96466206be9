"""Form documents in the database, and the element-level diff between two versions."""

from __future__ import annotations

import json

import pytest

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.forms import FormDefinitionError
from engine.services.context import Actor, Platform
from engine.services.studio.diff import ElementChange, diff_versions
from engine.services.studio.drafts import create_service, publish, save_draft
from engine.services.studio.forms import (
    get_form_document,
    list_form_documents,
    preview_form_document,
    save_form_document,
    studio_form_loader,
)

from .conftest import SERVICE, permit_xml

DECISION = {
    "title": {"uk": "Рішення", "en": "Decision"},
    "schema": {
        "type": "object",
        "required": ["decision"],
        "properties": {"decision": {"type": "string", "title": "Рішення", "enum": ["approve", "reject"]}},
    },
}
BY_KEY = 'camunda:formKey="studio_decision" camunda:candidateGroups="lubny-cnap"'


def test_a_form_document_in_the_database_overrides_the_file(platform: Platform, analyst: Actor) -> None:
    key = "housing_subsidy_application"
    with unit_of_work(platform.read_sessions) as db:
        from_file = get_form_document(db, analyst, key)
    assert from_file == json.loads((PROJECT_ROOT / "forms" / f"{key}.json").read_text(encoding="utf-8"))
    changed = {**from_file, "title": {"uk": "Нова заява", "en": "New application"}}
    with unit_of_work(platform.write_sessions) as db:
        form = save_form_document(db, analyst, key, changed)
    assert form.title is not None and form.title.get("uk") == "Нова заява"
    with unit_of_work(platform.read_sessions) as db:
        assert get_form_document(db, analyst, key)["title"]["uk"] == "Нова заява"
        loaded = studio_form_loader(db)(key)
        listed = {info.key: info for info in list_form_documents(db, analyst)}
    assert loaded.title is not None and loaded.title.get("uk") == "Нова заява"
    assert (listed[key].source, listed[key].updated_by) == ("database", "analyst")
    assert listed["land_allotment_permit_application"].source == "file"


def test_a_bad_form_document_is_refused_with_the_field_named(platform: Platform, analyst: Actor) -> None:
    bad = json.loads(json.dumps(DECISION))
    bad["schema"]["properties"]["decision"]["type"] = "strnig"
    with pytest.raises(FormDefinitionError) as refused:
        preview_form_document(bad, key="studio_decision")
    assert refused.value.field == "decision"
    with unit_of_work(platform.write_sessions) as db, pytest.raises(FormDefinitionError) as refused:
        save_form_document(db, analyst, "studio_decision", bad)
    assert refused.value.field == "decision"
    with unit_of_work(platform.read_sessions) as db:
        assert "studio_decision" not in {info.key for info in list_form_documents(db, analyst)}


def test_drafts_check_and_publish_with_database_forms(platform: Platform, analyst: Actor) -> None:
    with unit_of_work(platform.write_sessions) as db:
        create_service(db, analyst, process_id=SERVICE, title="Дозвіл")
        missing = save_draft(db, analyst, SERVICE, permit_xml(review=BY_KEY, review_form=""))
    assert [p.message for p in missing.problems if p.element_id == "review"] == [
        "form 'studio_decision' not found (expected forms/studio_decision.json)"
    ]
    with unit_of_work(platform.write_sessions) as db:
        save_form_document(db, analyst, "studio_decision", DECISION)
        found = save_draft(db, analyst, SERVICE, permit_xml(review=BY_KEY, review_form=""))
        assert not found.has_errors, found.problems
        published = publish(db, analyst, SERVICE, found.number)
    review = published.manifest.step("review") if published.manifest else None
    assert review is not None and review.form is not None
    assert [f.name for f in review.form.fields] == ["decision"]


def change(changes: list[ElementChange], element_id: str) -> tuple[str, list[str]]:
    (found,) = [c for c in changes if c.element_id == element_id]
    return found.kind, found.details


def test_diff_lists_added_tasks_removed_flows_changed_fields_and_properties(platform: Platform, analyst: Actor) -> None:
    archive = """<bpmn:userTask id="archive" name="Архів" camunda:candidateGroups="lubny-cnap">
  <bpmn:incoming>f_arch</bpmn:incoming></bpmn:userTask>
<bpmn:sequenceFlow id="f_arch" sourceRef="gw" targetRef="archive" />"""
    second = permit_xml(amount_type="string", amount_required=False, category="Інше", extra_nodes=archive)
    second = second.replace('<bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="rejected" />', "")
    second = second.replace('default="f_no"', 'default="f_arch"').replace("<bpmn:outgoing>f_no</bpmn:outgoing>", "")
    second = second.replace('name="Погоджено"', 'name="Погоджено остаточно"')
    with unit_of_work(platform.write_sessions) as db:
        create_service(db, analyst, process_id=SERVICE, title="Дозвіл")
        save_draft(db, analyst, SERVICE, permit_xml())
        save_draft(db, analyst, SERVICE, second)
    with unit_of_work(platform.read_sessions) as db:
        diff = diff_versions(db, analyst, SERVICE, 2, 3)
    assert change(diff.elements, "archive") == ("added", [])
    assert change(diff.elements, "approved") == ("changed", ["name: 'Погоджено' → 'Погоджено остаточно'"])
    assert change(diff.elements, "gw") == ("changed", ["default flow: 'f_no' → 'f_arch'"])
    assert {c.element_id for c in diff.elements} == {"archive", "approved", "gw"}
    assert {(c.kind, c.element_id) for c in diff.flows} == {("removed", "f_no"), ("added", "f_arch")}
    assert change(diff.forms, "start") == (
        "changed",
        ["field amount type: integer → text", "field amount required: True → False"],
    )
    assert [c.element_id for c in diff.forms] == ["start"]  # the new task has no form yet
    assert diff.properties == ["category: 'Дозволи' → 'Інше'"]
    with unit_of_work(platform.read_sessions) as db:
        assert diff_versions(db, analyst, SERVICE, 2, 2).empty
