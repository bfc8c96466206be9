"""The pruning contract, checked on every state the loop fixtures go through (saved whole, then pruned): the
unfinished tasks stay with their parents and data, kept tasks keep their order and ancestors, the saved state
restores the same data, and what was cut and had completed is remembered as done."""

from __future__ import annotations

from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.xml import parse_xml
from engine.runtime.cases import Case
from engine.runtime.pruning import completed_spec_names, prune_workflow, whole_task_tree
from engine.runtime.sandbox import create_script_engine
from engine.runtime.specs import compile_spec

from .lockstep import Lockstep
from .loop_plays import LOOP_FIXTURES, close, loop_spec, play_round, start

UNFINISHED = TaskState.NOT_FINISHED_MASK | TaskState.ERROR
ENGINE = create_script_engine()


def _whole_states(name: str) -> tuple[str, list[str]]:
    spec = loop_spec(name)
    play = Lockstep(spec, ENGINE)
    start(play)
    for number in range(1, 5):
        play_round(play, number, timer_every=LOOP_FIXTURES[name])
    close(play)
    return spec, play.whole_states[:-1]  # the last one is finished: never pruned


def _workflows(case: Case) -> dict[Any, Any]:
    """Each workflow of the case by the id of the task running it (None: the case itself)."""
    return {None: case.workflow, **case.workflow.subprocesses}


def _preorder(workflow: Any) -> list[Any]:
    order, stack = [], [workflow.task_tree]
    while stack:
        task = stack.pop()
        order.append(task.id)
        stack.extend(reversed(task.children))
    return order


def _ancestors(task: Any) -> list[Any]:
    chain, parent = [], task.parent
    while parent is not None:
        chain.append(parent.id)
        parent = parent.parent
    return chain


@pytest.mark.parametrize("name", list(LOOP_FIXTURES))
def test_pruning_keeps_what_the_engine_reads_and_forgets_only_finished_tasks(name: str) -> None:
    spec, states = _whole_states(name)
    assert len(states) >= 9
    for number, state in enumerate(states):
        with whole_task_tree():
            whole = Case.load(spec, state, ENGINE)
        pruned = Case.load(spec, state, ENGINE)  # loading prunes what was saved whole
        assert prune_workflow(pruned.workflow) == 0, "pruning twice cuts more"
        assert len(pruned.workflow.tasks) < len(whole.workflow.tasks) or number < 3, f"state {number}: nothing cut"
        kept_workflows = _workflows(pruned)
        assert set(kept_workflows) <= set(_workflows(whole))
        for key, workflow in _workflows(whole).items():
            if key not in kept_workflows:
                assert not any(t.state & UNFINISHED for t in workflow.tasks.values()), "a running subprocess went"
                continue
            kept = kept_workflows[key]
            for task in workflow.tasks.values():
                if task.state & UNFINISHED:
                    mine = kept.tasks[task.id]
                    assert mine.parent is not None or task.parent is None
                    assert (mine.parent.id if mine.parent else None) == (task.parent.id if task.parent else None)
                    assert mine.data == task.data and mine.internal_data == task.internal_data
            assert _preorder(kept) == [t for t in _preorder(workflow) if t in kept.tasks]
            for task_id, mine in kept.tasks.items():
                assert _ancestors(mine) == [a for a in _ancestors(workflow.tasks[task_id]) if a in kept.tasks]
                assert mine.data == workflow.tasks[task_id].data
            cut = {t.task_spec.name for i, t in workflow.tasks.items() if i not in kept.tasks and t.state == 64}
            assert cut <= completed_spec_names(pruned.workflow)[workflow.spec.name]
        restored = Case.load(spec, pruned.dump(), ENGINE)
        for key, workflow in _workflows(restored).items():
            kept = kept_workflows[key]
            assert {i: t.data for i, t in workflow.tasks.items()} == {i: t.data for i, t in kept.tasks.items()}
            assert (workflow.last_task.id if workflow.last_task else None) == (
                kept.last_task.id if kept.last_task else None
            )


TWO_LONG_BRANCHES = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="https://t">
  <bpmn:process id="branches" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:parallelGateway id="split" />
    <bpmn:userTask id="a1" /><bpmn:userTask id="a2" />
    <bpmn:userTask id="b1" /><bpmn:userTask id="b2" />
    <bpmn:parallelGateway id="join" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="a1" />
    <bpmn:sequenceFlow id="f2" sourceRef="a1" targetRef="a2" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="b1" />
    <bpmn:sequenceFlow id="f4" sourceRef="b1" targetRef="b2" />
    <bpmn:sequenceFlow id="f5" sourceRef="a2" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="b2" targetRef="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_two_branches_still_meet_where_they_split_after_pruning() -> None:
    play = Lockstep(compile_spec(parse_xml(TWO_LONG_BRANCHES), filename="b.bpmn", process_id="branches"), ENGINE)
    for step in ("start", "a1", "b1"):
        play.complete(step, {})
    case = play.pruned.load()
    tasks = {t.task_spec.name: t for t in case.workflow.tasks.values() if t.state & UNFINISHED}
    assert {"a2", "b2"} <= set(tasks)
    a_path, b_path = _ancestors(tasks["a2"]), _ancestors(tasks["b2"])
    meeting = next(task_id for task_id in a_path if task_id in b_path)
    assert case.workflow.tasks[meeting].task_spec.name == "split"
    assert "start" not in {t.task_spec.name for t in case.workflow.tasks.values()}
    assert play.pruned_seen == play.whole_seen
