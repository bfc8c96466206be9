"""`posluhy test`: every scenario beside every diagram, one PASS/FAIL line each, exit 1 on any failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bpmn.manifest import executable_processes
from engine.bpmn.xml import BPMN, parse_xml
from engine.cli import main
from engine.config import PROJECT_ROOT
from engine.services.authoring.scenarios import scenario_dir

from .conftest import loop_service, write_scenario

FORMS = str(PROJECT_ROOT / "forms")


def test_every_demo_scenario_passes_and_every_end_event_is_covered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(PROJECT_ROOT / "processes"), "--forms", FORMS]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("PASS ") for line in lines)
    scenario_files = sorted((PROJECT_ROOT / "processes").glob("*/scenarios/**/*.json"))
    assert len(lines) == len(scenario_files)
    assert "PASS outdoor_advertising_permit/issued_after_corrections" in lines
    assert "PASS Kherson_uorpg_kv/issued" in lines  # an iGov diagram, scenarios in scenarios/<file name>/
    for path in sorted((PROJECT_ROOT / "processes").rglob("*.bpmn")):
        (process,) = executable_processes(parse_xml(path.read_bytes()))
        ends = {e.get("id") for e in process.iter(BPMN + "endEvent")}
        expected = {
            json.loads(p.read_text(encoding="utf-8"))["expect"]["end_event"] for p in scenario_dir(path).glob("*.json")
        }
        assert ends <= expected, (path.name, ends - expected)


def test_a_failing_scenario_says_why_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "processes" / "svc"
    loop_service(folder, default="f_again")
    steps = [{"task": "start", "data": {"surname": "Іваненко"}}, {"task": "work", "data": {"decision": "finish"}}]
    write_scenario(
        folder, "finishes", {"steps": steps, "expect": {"end_event": "done", "data": {"decision": "finish"}}}
    )
    write_scenario(folder, "wrong_end", {"steps": steps, "expect": {"end_event": "elsewhere"}})
    write_scenario(folder, "wrong_actor", {"steps": [{"task": "start", "actor": "official", "data": {}}], "expect": {}})
    assert main(["test", str(tmp_path / "processes"), "--forms", FORMS]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "PASS svc/finishes"
    assert lines[1].startswith("FAIL svc/wrong_actor: step 1: start is done by applicant, not by the official")
    assert lines[2] == "FAIL svc/wrong_end: ended at 'done', expected 'elsewhere'"


def test_nothing_to_test_is_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(tmp_path)]) == 1
    assert "no scenarios found" in capsys.readouterr().err
