"""What reads a case's past keeps working once the past has left the task tree: timers on a looping step, retry
and skip of a failed step, migration's dry run, and a parallel join inside the loop."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import permutations
from typing import Any

from engine.runtime.migration import move_case
from engine.runtime.recovery import retry_failed, skip_failed
from engine.runtime.sandbox import create_script_engine

from ...fixtures.loops.driver import LOOPS
from .lockstep import START, Lockstep
from .loop_plays import TIMER_WAIT, close, loop_spec, play_round, start

CORRESPONDENCE = (LOOPS / "correspondence_loop.bpmn").read_text(encoding="utf-8")


def _played(name: str, rounds: int, *, compare: bool = False, script_engine: Any = None) -> Lockstep:
    play = Lockstep(loop_spec(name), script_engine, compare=compare)
    start(play)
    for number in range(1, rounds + 1):
        play_round(play, number)
    return play


def test_a_boundary_timer_on_a_looping_step_still_fires_after_forty_pruned_rounds() -> None:
    play = _played("timer_loop", 40)
    play.complete("review", {"decision": "ask"})
    assert play.open_steps() == ["answer"]
    assert play.pruned_seen[-1].next_timer == START + timedelta(days=10)
    assert play.wait(timedelta(days=9)).failed is False
    assert play.open_steps() == ["answer"]  # not due yet
    play.wait(timedelta(days=2))
    assert play.open_steps() == ["review"]
    assert {k: play.pruned_seen[-1].data[k] for k in ("rounds", "timeouts")} == {"rounds": 40, "timeouts": 1}
    play.complete("review", {"decision": "ask"})
    assert play.pruned_seen[-1].next_timer is not None  # the next round's timer waits again
    play.complete("answer", {"reply": "Нарешті"})
    assert play.pruned_seen[-1].next_timer is None
    play.wait(TIMER_WAIT)
    assert play.open_steps() == ["review"]
    assert play.pruned_seen[-1].data["timeouts"] == 1  # the answered round's timer was cancelled, not fired


def _registry_loop() -> tuple[str, dict[str, bool], Any]:
    """The correspondence loop whose round counting calls a registry that can be down."""
    registry = {"up": True}

    def register(reply: str) -> int:
        if not registry["up"]:
            raise ConnectionError("registry unreachable")
        return len(reply)

    xml = CORRESPONDENCE.replace(
        "<bpmn:script>rounds = rounds + 1</bpmn:script>",
        "<bpmn:script>registered = register(reply)\nrounds = rounds + 1</bpmn:script>",
    )
    assert xml != CORRESPONDENCE
    engine = create_script_engine(extra_globals={"register": register})
    return loop_spec("correspondence_loop", xml.encode()), registry, engine


def test_a_failed_step_in_a_pruned_loop_can_be_retried_and_skipped() -> None:
    spec, registry, engine = _registry_loop()
    play = Lockstep(spec, engine, compare=False)
    start(play)
    for number in range(1, 31):
        play_round(play, number)
    play.complete("review", {"decision": "ask"})
    registry["up"] = False
    failed = play.complete("answer", {"reply": "Відповідь 31"})
    assert (failed.failed, failed.error_element) == (True, "count_round")
    assert play.pruned_seen[-1].failed_steps == ("count_round",)
    assert play.act(retry_failed).failed  # still down: still failed, still retryable
    assert play.pruned_seen[-1].failed_steps == ("count_round",)
    registry["up"] = True
    assert not play.act(retry_failed).failed
    assert play.open_steps() == ["review"]
    assert play.pruned_seen[-1].data["rounds"] == 31

    play.complete("review", {"decision": "ask"})
    registry["up"] = False
    assert play.complete("answer", {"reply": "Відповідь 32"}).failed
    assert not play.act(skip_failed).failed
    assert (play.open_steps(), play.pruned_seen[-1].failed_steps) == (["review"], ())
    assert play.pruned_seen[-1].data["rounds"] == 31  # skipped: not counted
    assert play.pruned_seen[-1].data["reply"] == "Відповідь 32"
    close(play)
    assert play.pruned_seen[-1].end_event == "end_answered"


def _without(xml: str, element_id: str, *, then: str) -> str:
    """The diagram without the script task `element_id`: what flowed into it goes on to `then`."""
    xml = re.sub(rf'<bpmn:scriptTask id="{element_id}".*?</bpmn:scriptTask>', "", xml, flags=re.S)
    xml = re.sub(rf'<bpmn:sequenceFlow id="\w+" sourceRef="{element_id}" targetRef="\w+" />', "", xml)
    without = xml.replace(f'targetRef="{element_id}"', f'targetRef="{then}"')
    assert element_id not in without
    return without


def _spec(xml: str) -> str:
    return loop_spec("correspondence_loop", xml.encode())


def test_migration_dry_run_still_reports_a_removed_step_done_long_ago() -> None:
    play = _played("correspondence_loop", 5, compare=True)
    version_2 = _spec(_without(CORRESPONDENCE, "init_rounds", then="gw_merge"))
    pruned, whole = play.pruned.load(), play.whole.load()
    assert "init_rounds" not in {t.task_spec.name for t in pruned.workflow.tasks.values()}
    engine = create_script_engine()
    moves = [move_case(case, version_2, engine, target="version 2") for case in (pruned, whole)]
    expected = ["step 'init_rounds', already done in this application, no longer exists in version 2"]
    assert [m.reasons for m in moves] == [expected, expected]
    assert not any(m.can_move for m in moves)


def test_a_moved_case_remembers_its_renamed_done_steps_for_the_next_move() -> None:
    play = _played("correspondence_loop", 5)
    renamed = CORRESPONDENCE.replace('"count_round"', '"count_answer"')
    engine = create_script_engine()
    move = move_case(play.pruned.load(), _spec(renamed), engine, target="version 2")
    assert move.can_move and move.case is not None
    assert "count_answer" in move.case.done_steps() and "count_round" not in move.case.done_steps()
    dropped = _without(renamed, "count_answer", then="gw_merge")
    again = move_case(move.case, _spec(dropped), engine, target="version 3")
    assert again.reasons == ["step 'count_answer', already done in this application, no longer exists in version 3"]


BRANCHES = ("answer", "check_payment", "check_registry")


def test_a_parallel_join_inside_the_loop_waits_for_every_branch_every_round() -> None:
    play = _played("parallel_loop", 0)
    for number, order in enumerate(list(permutations(BRANCHES)) * 2, start=1):
        play.complete("review", {"decision": "ask"})
        assert sorted(play.open_steps()) == list(BRANCHES)
        for arrived, step in enumerate(order, start=1):
            play.complete(step, {"reply": f"Відповідь {number}"} if step == "answer" else {})
            waiting = sorted(order[arrived:]) or ["review"]
            assert sorted(play.open_steps()) == waiting, f"round {number}, after {order[:arrived]}"
        assert play.pruned_seen[-1].data["rounds"] == number


def test_a_parallel_loop_saved_whole_in_mid_round_counts_only_the_rounds_arrivals_once_pruned() -> None:
    play = _played("parallel_loop", 0)
    play.pruned.prune = False  # saved as before pruning existed: three rounds, always in the same order
    for number in range(1, 4):
        play.complete("review", {"decision": "ask"})
        for step in BRANCHES:
            play.complete(step, {"reply": f"Відповідь {number}"} if step == "answer" else {})
    play.complete("review", {"decision": "ask"})
    play.complete("answer", {"reply": "Відповідь 4"})  # the join waits for the other two
    play.pruned.prune = True
    for number, order in enumerate([("check_registry", "check_payment"), *permutations(BRANCHES)], start=4):
        if number > 4:
            play.complete("review", {"decision": "ask"})
        for arrived, step in enumerate(order, start=1):
            play.complete(step, {"reply": f"Відповідь {number}"} if step == "answer" else {})
            assert sorted(play.open_steps()) == (sorted(order[arrived:]) or ["review"]), f"round {number}"
        assert play.pruned_seen[-1].data["rounds"] == number
