"""`posluhy simulate` as an analyst runs it: in memory, exit 0 only when an end event is reached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bpmn.manifest import executable_processes
from engine.bpmn.xml import BPMN, parse_xml
from engine.cli import main
from engine.config import PROJECT_ROOT

from .conftest import loop_service, write_scenario

DEMO_DIAGRAMS = sorted((PROJECT_ROOT / "processes").rglob("*.bpmn"))
FORMS = str(PROJECT_ROOT / "forms")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    status = main(["simulate", *args, "--json", "--forms", FORMS])
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("diagram", DEMO_DIAGRAMS, ids=lambda p: p.stem)
def test_auto_reaches_an_end_event_for_every_demo_service(diagram: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (process,) = executable_processes(parse_xml(diagram.read_bytes()))
    end_events = {e.get("id") for e in process.iter(BPMN + "endEvent")}
    for seed in (0, 1, 2):
        status, result = run_json(capsys, str(diagram), "--auto", "--seed", str(seed))
        assert status == 0, result
        assert result["completed"] is True
        assert result["end_event"] in end_events


def test_json_has_exactly_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    diagram = PROJECT_ROOT / "processes" / "housing_subsidy" / "housing_subsidy.bpmn"
    status, result = run_json(capsys, str(diagram), "--auto")
    assert status == 0
    assert set(result) == {"service", "completed", "end_event", "steps", "warnings"}
    assert result["service"] == "housing_subsidy"
    steps = result["steps"]
    assert isinstance(steps, list) and len(steps) >= 2
    assert all(set(step) == {"task", "lane", "data"} for step in steps)
    assert steps[0]["task"] == "start_application" and steps[0]["lane"] == "applicant"
    assert steps[1]["lane"] == "poltava-oda-social"
    assert steps[0]["data"]["phone"].startswith("+380")


def test_the_seed_makes_auto_runs_repeatable(capsys: pytest.CaptureFixture[str]) -> None:
    diagram = str(PROJECT_ROOT / "processes" / "residence_registration" / "residence_registration.bpmn")
    _, first = run_json(capsys, diagram, "--auto", "--seed", "11")
    _, again = run_json(capsys, diagram, "--auto", "--seed", "11")
    _, other = run_json(capsys, diagram, "--auto", "--seed", "12")
    assert first == again
    assert first["steps"] != other["steps"]


def test_readable_output_names_each_step_its_role_and_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    diagram = PROJECT_ROOT / "processes" / "land_allotment_permit" / "land_allotment_permit.bpmn"
    assert main(["simulate", str(diagram), "--auto", "--forms", FORMS]) == 0
    out = capsys.readouterr().out
    assert "1. start_application [applicant]" in out
    assert "2. review_land_request [myrhorod-cnap] decision=" in out
    assert out.rstrip().endswith("reached end event end_refused")


def test_a_loop_generated_data_never_leaves_stops_with_a_warning_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diagram = loop_service(tmp_path / "svc", default="f_again")
    status, result = run_json(capsys, str(diagram), "--auto", "--max-steps", "25")
    assert status == 1
    assert result["completed"] is False and result["end_event"] is None
    assert len(result["steps"]) == 25  # type: ignore[arg-type]
    assert any("stopped after 25 steps" in str(w) for w in result["warnings"])  # type: ignore[attr-defined]


def test_auto_prefers_the_default_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diagram = loop_service(tmp_path / "svc", default="f_finish")
    status, result = run_json(capsys, str(diagram), "--auto")
    assert status == 0
    assert [s["task"] for s in result["steps"]] == ["start", "work"]  # type: ignore[attr-defined, index]
    assert result["steps"][1]["data"] == {"decision": "finish"}  # type: ignore[index]


def test_scenario_mode_runs_the_files_steps(capsys: pytest.CaptureFixture[str]) -> None:
    folder = PROJECT_ROOT / "processes" / "outdoor_advertising_permit"
    scenario = folder / "scenarios" / "issued_after_corrections.json"
    status, result = run_json(capsys, str(folder / "outdoor_advertising_permit.bpmn"), "--scenario", str(scenario))
    assert status == 0
    assert result["end_event"] == "end_permit_issued"
    tasks = [s["task"] for s in result["steps"]]  # type: ignore[attr-defined]
    assert tasks == [
        "start_application",
        "review_application",
        "correct_application",
        "review_application",
        "architecture_approval",
    ]
    assert result["steps"][0]["data"]["sketch_file"] == "@file:sketch.pdf"  # type: ignore[index]


def test_scenario_that_stops_early_or_sends_bad_data_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "svc"
    diagram = loop_service(folder, default="f_again")
    unfinished = write_scenario(folder, "unfinished", {"steps": [{"task": "start", "data": {"surname": "Іваненко"}}]})
    status, result = run_json(capsys, str(diagram), "--scenario", str(unfinished))
    assert status == 1 and result["completed"] is False and result["warnings"] == []

    bad = write_scenario(
        folder,
        "bad",
        {"steps": [{"task": "start", "data": {"surname": "Іваненко"}}, {"task": "work", "data": {"decision": "x"}}]},
    )
    status, result = run_json(capsys, str(diagram), "--scenario", str(bad))
    assert status == 1
    assert any("step 2 (work) refused the data: decision" in str(w) for w in result["warnings"])  # type: ignore[attr-defined]


def test_a_diagram_with_errors_is_not_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text("<not-bpmn", encoding="utf-8")
    status, result = run_json(capsys, str(broken), "--auto")
    assert status == 1
    assert result["steps"] == [] and result["completed"] is False
    assert any(str(w).startswith("error: ") for w in result["warnings"])  # type: ignore[attr-defined]


def test_simulate_needs_a_mode() -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "processes/housing_subsidy/housing_subsidy.bpmn"])
