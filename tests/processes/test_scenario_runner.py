"""The scenario runner reports a broken scenario precisely instead of passing or crashing."""

import dataclasses
import json
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.authoring.scenarios import (
    Scenario,
    ScenarioFailedError,
    ScenarioFileError,
    ScenarioStep,
    load_scenarios,
    run_scenario,
)
from engine.services.context import Actor, Platform

FAMILY = PROJECT_ROOT / "processes" / "family_composition_certificate"


def _issued() -> Scenario:
    return next(s for s in load_scenarios(FAMILY) if s.name == "issued")


def test_a_step_that_is_not_open_is_reported(platform: Platform, scenario_actors: dict[str, Actor]) -> None:
    scenario = _issued()
    wrong = dataclasses.replace(
        scenario, steps=(scenario.steps[0], dataclasses.replace(scenario.steps[1], task="sign"))
    )
    with unit_of_work(platform.write_sessions) as db, pytest.raises(ScenarioFailedError) as failed:
        run_scenario(db, platform, wrong, actors=scenario_actors)
    assert failed.value.step == 2
    assert "expected 'sign' to be open, but open steps are: prepare_certificate" in str(failed.value)


def test_refused_data_is_reported_with_the_field(platform: Platform, scenario_actors: dict[str, Actor]) -> None:
    scenario = _issued()
    start = scenario.steps[0]
    bad = ScenarioStep(start.task, start.actor, {**start.data, "persons_registered": "багато"})
    with unit_of_work(platform.write_sessions) as db, pytest.raises(ScenarioFailedError) as failed:
        run_scenario(db, platform, dataclasses.replace(scenario, steps=(bad,)), actors=scenario_actors)
    assert failed.value.step == 1
    assert "persons_registered" in str(failed.value)


def test_unmet_expectations_are_listed(platform: Platform, scenario_actors: dict[str, Actor]) -> None:
    scenario = dataclasses.replace(_issued(), end_event="end_refused", expect_data={"decision": "refuse", "nope": 1})
    with unit_of_work(platform.write_sessions) as db:
        result = run_scenario(db, platform, scenario, actors=scenario_actors)
    assert result.status == "completed"
    assert result.mismatches() == [
        "ended at 'end_issued', expected 'end_refused'",
        "data 'decision' is 'issue', expected 'refuse'",
        "data has no 'nope', expected 1",
    ]


def test_malformed_scenario_files_are_refused(tmp_path: Path) -> None:
    scenarios = tmp_path / "svc" / "scenarios"
    scenarios.mkdir(parents=True)
    for body in (
        "{not json",
        json.dumps({"steps": "x"}),
        json.dumps({"steps": [{"data": {}}]}),
        json.dumps({"steps": [{"task": "t", "actor": "robot"}]}),
    ):
        (scenarios / "bad.json").write_text(body, encoding="utf-8")
        with pytest.raises(ScenarioFileError):
            load_scenarios(tmp_path / "svc")
    (scenarios / "bad.json").write_text(json.dumps({"steps": [{"task": "t"}], "expect": {"end_event": "e"}}))
    (loaded,) = load_scenarios(tmp_path / "svc")
    assert (loaded.service_id, loaded.steps[0].actor, loaded.status) == ("svc", "applicant", "completed")
