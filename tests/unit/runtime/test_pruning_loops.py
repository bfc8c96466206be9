"""Long cases stay flat: a correspondence loop of 1,000 rounds ends with the right data while its stored state
and task tree stay the size of round 1, in every loop shape (timer, subprocess, call activity, parallel, MI)."""

from __future__ import annotations

import pytest

from engine.runtime.cases import Case
from engine.runtime.pruning import prune_workflow

from ...fixtures.loops.driver import SteppedCase, compile_diagram, drive_correspondence, max_depth
from .lockstep import Lockstep
from .loop_plays import LOOP_FIXTURES, close, loop_spec, play_round, start

FLAT_DEPTH = 8  # root, the last merge, the open step and what the engine predicts after it


def test_a_thousand_rounds_of_correspondence_end_with_the_right_data_and_a_flat_case() -> None:
    run = drive_correspondence(1000)
    assert run.failures == []
    assert [r.number for r in run.rounds] == list(range(1, 1001))
    assert not any(r.completed for r in run.rounds)
    assert (run.completed, run.end_event, run.data["rounds"]) == (True, "end_answered", 1000)
    assert run.data["reply"] == "Відповідь 1000"
    first, at_200, last = run.rounds[0], run.rounds[199], run.rounds[999]
    assert last.state_bytes <= 2 * first.state_bytes
    assert at_200.state_bytes <= 2 * first.state_bytes
    assert max(r.max_depth for r in run.rounds) <= FLAT_DEPTH


def test_without_pruning_the_same_loop_grows_every_round() -> None:
    run = drive_correspondence(20, prune=False)
    assert run.rounds[19].state_bytes > 5 * run.rounds[0].state_bytes
    assert run.rounds[19].max_depth > 20 * 4


def test_a_case_saved_whole_before_is_flattened_at_its_next_save_and_goes_past_the_old_limit() -> None:
    spec = compile_diagram()
    stepped = SteppedCase(spec, prune=False)
    stepped.complete("start_application", {"subject": "Довідка"})
    for number in range(1, 61):
        stepped.complete("review", {"decision": "ask"})
        stepped.complete("answer", {"reply": f"Відповідь {number}"})
    assert max_depth(stepped.load()) > 300
    stepped.prune = True
    for number in range(61, 201):  # the whole tree failed at round 159 with "more than 800 steps in a loop"
        assert not stepped.complete("review", {"decision": "ask"}).failed
        assert not stepped.complete("answer", {"reply": f"Відповідь {number}"}).failed
    case = stepped.load()
    assert max_depth(case) <= FLAT_DEPTH
    assert case.current_data()["rounds"] == 200
    assert case.done_steps() >= {"start_application", "init_rounds", "gw_merge", "review", "answer", "count_round"}


@pytest.mark.parametrize("name", list(LOOP_FIXTURES))
def test_every_loop_shape_stays_flat(name: str) -> None:
    play = Lockstep(loop_spec(name), compare=False)
    start(play)
    sizes, depths, subprocesses = [], [], []
    for number in range(1, 61):
        play_round(play, number, timer_every=LOOP_FIXTURES[name])
        case = play.pruned.load()
        sizes.append(len(play.pruned.state))
        depths.append(max_depth(case))
        subprocesses.append(len(case.workflow.subprocesses))
    assert sizes[59] <= 2 * sizes[0]
    assert max(depths) <= FLAT_DEPTH
    assert max(subprocesses) <= 1  # a round's subprocess goes once the round is over
    assert play.pruned_seen[-1].data["rounds"] == (40 if LOOP_FIXTURES[name] else 60)
    close(play)
    assert play.pruned_seen[-1].end_event == "end_answered"


def test_the_steps_done_are_known_after_they_left_the_tree() -> None:
    play = Lockstep(loop_spec("call_activity_loop"), compare=False)
    start(play)
    play_round(play, 1)
    case = play.pruned.load()
    assert {"answer", "count_round"}.isdisjoint(t.task_spec.name for t in _all_tasks(case))
    assert case.done_steps() >= {"init_rounds", "review", "ask_applicant", "answer", "count_round"}


def test_a_finished_case_is_never_pruned_so_its_outcome_stays() -> None:
    play = Lockstep(loop_spec("correspondence_loop"), compare=False)
    start(play)
    play_round(play, 1)
    close(play)
    case = play.pruned.load()
    tasks = len(case.workflow.tasks)
    assert prune_workflow(case.workflow) == 0
    assert len(case.workflow.tasks) == tasks
    assert (case.is_completed(), case.end_event()) == (True, "end_answered")


def _all_tasks(case: Case) -> list[object]:
    return [t for w in [case.workflow, *case.workflow.subprocesses.values()] for t in w.tasks.values()]
