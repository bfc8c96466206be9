"""`posluhy simulate --auto` on the 25 iGov corpus files: which reach an end event, and why the others cannot."""

from __future__ import annotations

import pytest

from engine.config import PROJECT_ROOT
from engine.services.authoring.simulation import SimulationResult, simulate

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "igov"
FILES = sorted(p.name for p in CORPUS.glob("*.bpmn")) if CORPUS.is_dir() else []
pytestmark = pytest.mark.needs("igov_corpus")

#: Files that cannot reach an end event, with the text their simulation error must contain (README "iGov diagrams").
EXPECTED_FAILURES = {
    # the gateway after the official's step tests `finish`, a variable no form sets (the decision field is `result`)
    "med_1563_zbroya.bpmn": "No conditions satisfied for exclusivegateway1",
    # the only way out (`${nCountDays==null}`) needs a required field left empty: it loops by design (until the
    # simulation's step limit, which says so in a warning)
    "system_escalation.bpmn": "loop",
}
MIN_COMPLETED = 23


@pytest.fixture(scope="module")
def results() -> dict[str, SimulationResult]:
    return {
        name: simulate(CORPUS / name, forms_dir=PROJECT_ROOT / "forms", auto=True, scenario=None, seed=0)
        for name in FILES
    }


@pytest.mark.parametrize("name", FILES)
def test_each_corpus_file_reaches_an_end_event_or_fails_as_documented(
    name: str, results: dict[str, SimulationResult]
) -> None:
    result = results[name]
    errors = "; ".join([*result.errors, *result.warnings])
    if name in EXPECTED_FAILURES:
        assert not result.completed
        assert EXPECTED_FAILURES[name] in errors
    else:
        assert result.completed, errors
        assert result.end_event


def test_enough_corpus_files_complete(results: dict[str, SimulationResult]) -> None:
    completed = sorted(name for name, r in results.items() if r.completed)
    assert len(completed) >= MIN_COMPLETED
    assert set(FILES) - set(completed) == set(EXPECTED_FAILURES)


def test_simulation_says_what_it_did_instead_of_mail_timers_and_groovy(results: dict[str, SimulationResult]) -> None:
    passport = results["dnepr_dms_passport.bpmn"]
    lanes = [step["lane"] for step in passport.steps]
    assert "simulated service task (igov_bean fileTaskUpload)" in lanes
    assert "script not run (unsupported)" in lanes
    assert any("script not run (Groovy" in w for w in passport.warnings)
    justice = results["_doc_justice_11.bpmn"]  # JavaScript calling iGov's documentStepService: skipped, with a warning
    assert any(step["lane"] == "script not run (unsupported)" for step in justice.steps)
    timers = results["med_1563_zbroya.bpmn"]
    assert any(step["lane"] == "timer fired immediately" for step in timers.steps)
    assert any("timers fire immediately" in w for w in timers.warnings)
    counted = results["_doc_justice_22.bpmn"]
    assert counted.data["sID_Custom_GovPublic"].endswith("/1")  # counter bean 00001, then the script appends it
    assert counted.data["processInstanceId"]  # set by the script with execution.getProcessInstanceId()
