"""Every service in processes/ run through every scenario it ships, with the case saved and restored after
every step; and every diagram passes `posluhy check`. New services are picked up without code changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.manifest import executable_processes
from engine.bpmn.xml import BPMN, parse_xml
from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.checking import check_paths
from engine.services.context import Actor, Platform
from engine.services.scenarios import Scenario, load_scenarios, run_scenario

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"
SERVICE_DIRS = sorted(p.parent for p in PROCESSES.rglob("*.bpmn"))
SCENARIOS = [s for d in SERVICE_DIRS for s in load_scenarios(d)]


def _end_events(service_dir: Path) -> dict[str, str]:
    (diagram,) = service_dir.glob("*.bpmn")
    (process,) = executable_processes(parse_xml(diagram.read_bytes()))
    return {e.get("id", ""): e.get("name") or e.get("id", "") for e in process.iter(BPMN + "endEvent")}


def test_there_are_services_and_scenarios_to_run() -> None:
    assert len(SERVICE_DIRS) >= 4
    assert {s.service_id for s in SCENARIOS} == {d.name for d in SERVICE_DIRS}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.service_id}/{s.name}")
def test_scenario_reaches_its_end_event(
    platform: Platform, scenario_actors: dict[str, Actor], scenario: Scenario
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(db, platform, scenario, actors=scenario_actors)
    assert result.mismatches() == []
    assert result.status == "completed"
    assert result.end_event == scenario.end_event
    assert result.outcome_name == _end_events(scenario.path.parent.parent)[result.end_event]
    for key, value in scenario.expect_data.items():
        assert result.data[key] == value, key


@pytest.mark.parametrize("service_dir", SERVICE_DIRS, ids=lambda d: d.name)
def test_scenarios_cover_every_end_event(service_dir: Path) -> None:
    covered = {s.end_event for s in load_scenarios(service_dir)}
    assert set(_end_events(service_dir)) - covered == set()


@pytest.mark.parametrize("service_dir", SERVICE_DIRS, ids=lambda d: d.name)
def test_diagram_passes_check_and_every_step_has_a_form(service_dir: Path) -> None:
    (result,) = check_paths([service_dir], FORMS)
    errors = [str(p) for p in result.problems if p.severity == "error"]
    assert errors == []
    assert result.ok and result.manifest is not None
    user_tasks = [s for s in result.manifest.steps.values() if not s.is_start]
    assert user_tasks, "a service needs at least one official task"
    for step in result.manifest.steps.values():
        assert step.form is not None, f"{step.element_id} has no form"
        assert step.form.input_fields, f"{step.element_id} asks nothing"
    for step in user_tasks:
        assert step.for_applicant or step.groups or step.candidate_users or step.assignee, step.element_id
