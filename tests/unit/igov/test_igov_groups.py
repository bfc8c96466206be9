"""iGov candidate groups reach our officials: templates computed from the case's data, names mapped to our groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bpmn.igov.groups import GroupMapping, GroupMappingError, load_group_mapping
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import Application, HumanTask
from engine.services.cases.applications import start_application
from engine.services.cases.steps import complete_task
from engine.services.catalog.deploy import deploy_directory
from engine.services.context import SYSTEM, Actor, Platform
from engine.store import directory, tasks

MAPPING = {
    "_comment": "test",
    "groups": {"kyiv_dabi_*": "lubny-architecture", "kyiv_dabi_boss": "poltava-oda-heads", "cnap_*": "@organisation"},
}


def test_exact_names_win_then_the_longest_prefix() -> None:
    mapping = GroupMapping.from_document(MAPPING)
    assert mapping.slug_for("kyiv_dabi_boss") == "poltava-oda-heads"
    assert mapping.slug_for("kyiv_dabi_law") == "lubny-architecture"
    assert mapping.slug_for("cnap_myrhorod-council") == "@organisation:myrhorod-council"
    assert mapping.slug_for("sales") is None and mapping.slug_for("_comment") is None
    assert mapping.covers_prefix("kyiv_dabi_") and not mapping.covers_prefix("kyiv_") and not mapping.covers_prefix("")


def test_a_broken_mapping_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(GroupMappingError, match="must map to a group slug"):
        GroupMapping.from_document({"groups": {"sales": 3}})
    broken = tmp_path / "groups.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(GroupMappingError, match="cannot read"):
        load_group_mapping(broken)
    assert load_group_mapping(tmp_path / "absent.json").slug_for("sales") is None


def test_the_shipped_mapping_points_at_groups_of_the_demo_directory() -> None:
    demo = json.loads((PROJECT_ROOT / "engine" / "demo" / "directory.json").read_text(encoding="utf-8"))
    slugs = {g["slug"] for o in demo["organisations"] for g in o["groups"]}
    mapping = load_group_mapping(PROJECT_ROOT / "engine" / "demo" / "igov_groups.json")
    targets = set(mapping.exact.values()) | {slug for _, slug in mapping.prefixes}
    assert targets - {"@organisation"} <= slugs


DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="http://www.activiti.org/test">
  <process id="igov_groups_demo" name="Розподіл завдань" isExecutable="true">
    <startEvent id="start"><extensionElements>
      <activiti:formProperty id="office" name="ЦНАП" type="string" required="true"/>
      <activiti:formProperty id="assignee" name="Виконавець" type="string"/>
    </extensionElements></startEvent>
    <sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f1" sourceRef="fork" targetRef="by_office"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="unknown"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="nobody"/>
    <sequenceFlow id="f4" sourceRef="fork" targetRef="mapped"/>
    <userTask id="by_office" name="Розгляд у ЦНАП" activiti:candidateGroups="cnap_${office}"/>
    <userTask id="unknown" name="Невідома група" activiti:candidateGroups="sales"/>
    <userTask id="nobody" name="Без групи" activiti:assignee="${assignee}"/>
    <userTask id="mapped" name="Архітектура" activiti:candidateGroups="kyiv_dabi_law"/>
    <sequenceFlow id="j1" sourceRef="by_office" targetRef="join"/>
    <sequenceFlow id="j2" sourceRef="unknown" targetRef="join"/>
    <sequenceFlow id="j3" sourceRef="nobody" targetRef="join"/>
    <sequenceFlow id="j4" sourceRef="mapped" targetRef="join"/>
    <parallelGateway id="join"/>
    <sequenceFlow id="f5" sourceRef="join" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def test_templates_are_resolved_on_the_case_data_and_unknown_groups_go_to_the_service_organisation(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping = tmp_path / "igov_groups.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    monkeypatch.setenv("POSLUHY_IGOV_GROUPS", str(mapping))
    folder = tmp_path / "igov"
    folder.mkdir()
    (folder / "groups_demo.bpmn").write_text(DIAGRAM, encoding="utf-8")
    (folder / "groups_demo.service.json").write_text('{"organisation": "lubny-council"}', encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        report = deploy_directory(db, processes_dir=folder, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM)
        assert not report.rejected, report.lines()
        citizen_user = directory.find_user(db, "citizen")
        assert citizen_user is not None
        citizen = Actor.of(citizen_user)
        started = start_application(db, platform, citizen, "igov_groups_demo")
        (form,) = started.open_steps
        complete_task(db, platform, citizen, form.id, {"office": "myrhorod-council", "assignee": "lubny.cnap2"})
    with unit_of_work(platform.read_sessions) as db:
        application = db.scalar(select(Application).where(Application.reference == started.reference))
        assert application is not None
        found: dict[str, HumanTask] = {t.element_id: t for t in tasks.open_for_application(db, application.id)}
        groups = {e: sorted(c.value for c in t.candidates if c.kind == "group") for e, t in found.items()}
        assert groups == {
            "by_office": ["myrhorod-cnap"],  # cnap_myrhorod-council: the office the citizen chose
            "unknown": ["lubny-cnap"],  # 'sales' is not mapped: the service's organisation's first group
            "nobody": [],  # assigned to the user its template names
            "mapped": ["lubny-architecture"],
        }
        myrhorod = directory.find_organisation(db, "myrhorod-council")
        assert myrhorod is not None and found["by_office"].organisation_id == myrhorod.id
        assignee = directory.find_user(db, "lubny.cnap2")
        assert assignee is not None and found["nobody"].assignee_id == assignee.id


def test_a_task_whose_assignee_is_nobody_here_goes_to_the_organisation(platform: Platform, tmp_path: Path) -> None:
    folder = tmp_path / "igov"
    folder.mkdir()
    (folder / "groups_demo.bpmn").write_text(DIAGRAM, encoding="utf-8")
    (folder / "groups_demo.service.json").write_text('{"organisation": "myrhorod-council"}', encoding="utf-8")
    with unit_of_work(platform.write_sessions) as db:
        assert not deploy_directory(db, processes_dir=folder, forms_dir=PROJECT_ROOT / "forms", actor=SYSTEM).rejected
        citizen_user = directory.find_user(db, "citizen")
        assert citizen_user is not None
        citizen = Actor.of(citizen_user)
        started = start_application(db, platform, citizen, "igov_groups_demo")
        complete_task(db, platform, citizen, started.open_steps[0].id, {"office": "x", "assignee": "ghost"})
        application = db.scalar(select(Application).where(Application.reference == started.reference))
        assert application is not None
        found = {t.element_id: t for t in tasks.open_for_application(db, application.id)}
        assert [c.value for c in found["nobody"].candidates] == ["myrhorod-cnap"]
        assert found["nobody"].assignee_id is None
