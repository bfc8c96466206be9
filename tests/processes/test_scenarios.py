"""Every service in processes/ run through every scenario it ships, with the case saved and restored after
every step; and every diagram passes `posluhy check`. New services are picked up without code changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.manifest import executable_processes
from engine.bpmn.xml import BPMN, parse_xml
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.authoring.checking import check_paths
from engine.services.authoring.scenarios import Scenario, diagram_service_id, load_diagram_scenarios, run_scenario
from engine.services.context import Actor, Platform

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"
DIAGRAMS = sorted(PROCESSES.rglob("*.bpmn"))
SCENARIOS = [(d, s) for d in DIAGRAMS for s in load_diagram_scenarios(d)]


def _end_events(diagram: Path) -> dict[str, str]:
    (process,) = executable_processes(parse_xml(diagram.read_bytes()))
    return {e.get("id", ""): e.get("name") or e.get("id", "") for e in process.iter(BPMN + "endEvent")}


def test_there_are_services_and_scenarios_to_run() -> None:
    assert len(DIAGRAMS) >= 4
    assert {s.service_id for _, s in SCENARIOS} == {diagram_service_id(d) for d in DIAGRAMS}


@pytest.mark.parametrize(("diagram", "scenario"), SCENARIOS, ids=[f"{s.service_id}/{s.name}" for _, s in SCENARIOS])
def test_scenario_reaches_its_end_event(
    platform: Platform, scenario_actors: dict[str, Actor], diagram: Path, scenario: Scenario
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(db, platform, scenario, actors=scenario_actors)
    assert result.mismatches() == []
    assert result.status == "completed"
    assert result.end_event == scenario.end_event
    assert result.outcome_name == _end_events(diagram)[result.end_event]
    for key, value in scenario.expect_data.items():
        assert result.data[key] == value, key


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda d: d.stem)
def test_scenarios_cover_every_end_event(diagram: Path) -> None:
    covered = {s.end_event for s in load_diagram_scenarios(diagram)}
    assert set(_end_events(diagram)) - covered == set()


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda d: d.stem)
def test_diagram_passes_check_and_every_step_has_a_form(diagram: Path) -> None:
    (result,) = check_paths([diagram], FORMS)
    errors = [str(p) for p in result.problems if p.severity == "error"]
    assert errors == []
    assert result.ok and result.manifest is not None
    user_tasks = [s for s in result.manifest.steps.values() if not s.is_start]
    assert user_tasks, "a service needs at least one official task"
    for step in result.manifest.steps.values():
        assert step.form is not None, f"{step.element_id} has no form"
        assert step.form.input_fields, f"{step.element_id} asks nothing"
    for step in user_tasks:
        assert step.for_applicant or step.groups or step.group_expressions or step.candidate_users or step.assignee, (
            step.element_id
        )
