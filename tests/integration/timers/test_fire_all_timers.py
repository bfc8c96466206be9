"""`fire_all_timers` (for `posluhy simulate`) fires what a case waits for without waiting; ISO literals are quoted."""

from __future__ import annotations

from datetime import timedelta

from engine.bpmn.xml import BPMN, parse_xml
from engine.clock import FakeClock
from engine.runtime.cases import Case
from engine.runtime.sandbox import create_script_engine
from engine.runtime.specs import compile_spec
from engine.runtime.timers import fire_all_timers, is_iso_literal, quote_timer_literals

from .conftest import HERE, START


def case_of(name: str, clock: FakeClock) -> Case:
    tree = parse_xml((HERE / "processes" / f"{name}.bpmn").read_bytes())
    return Case.new(compile_spec(tree, filename=name, process_id=name), create_script_engine(), clock)


def test_fire_all_timers_runs_the_case_to_its_next_human_step() -> None:
    clock = FakeClock(START)
    case = case_of("timer_wait", clock)
    (start,) = case.open_steps()
    case.complete(start.task_id, {"days": 10, "until": "2027-03-01"})
    assert case.next_timer_at() == START + timedelta(days=10)

    assert fire_all_timers(case) == ["wait_days"]
    assert fire_all_timers(case, max_rounds=5) == ["wait_until", "wait_fixed"]
    assert [s.element_id for s in case.open_steps()] == ["after_wait"]
    assert case.next_timer_at() is None
    assert clock.now() == START  # the simulation's clock did not move
    assert fire_all_timers(case) == []


def test_plain_iso_values_are_quoted_and_expressions_left_alone() -> None:
    tree = parse_xml((HERE / "processes" / "timer_wait.bpmn").read_bytes())
    values = [e.text for e in quote_timer_literals(tree).getroot().iter(BPMN + "timeDuration", BPMN + "timeDate")]
    assert values == ['"P" + str(days) + "D"', "until", "'2027-01-01T00:00:00+02:00'"]
    assert [e.text for e in tree.getroot().iter(BPMN + "timeDate")][1] == "2027-01-01T00:00:00+02:00"  # a copy
    assert all(is_iso_literal(v) for v in ("P3D", "PT1H30M", "R3/PT1H", "R/2027-01-01T09:00:00Z/P1D", "2027-01-01"))
    assert not any(is_iso_literal(v) for v in ("P", "PT", "days", "deadline_date", '"P3D"', "P3X"))
