"""Move one running case to another version of its diagram, or say why it cannot move.

Uses SpiffWorkflow's `bpmn.util.diff` (SpecDiff aligns task specs by id, then by position in the graph;
`migrate_workflow` swaps the specs and re-predicts the open branches). The result is always proven by a
save and restore on the new spec, and by the case waiting at the same steps as before. Completed steps pruned
from the task tree (`engine.runtime.pruning`) count as if they were still there, and keep their new names.
A case still waiting for its start form has done nothing yet, so it simply starts again on the new spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime.cases import Case
from engine.runtime.pruning import done_spec_names, set_done_spec_names
from engine.runtime.specs import SERIALIZER, load_specs

_UNBOUNDED = 10**6
_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class CaseMove:
    """The case on the new spec (None when it cannot move) and, per open step, where it now waits."""

    case: Case | None
    reasons: list[str] = field(default_factory=list)
    task_ids: dict[str, str] = field(default_factory=dict)  # old open task id -> new open task id
    elements: dict[str, str] = field(default_factory=dict)  # old open element id -> new element id

    @property
    def can_move(self) -> bool:
        return self.case is not None and not self.reasons


def move_case(case: Case, new_spec_json: str, script_engine: Any, *, target: str) -> CaseMove:
    """Position a copy of `case` on `new_spec_json` at the same steps with the same data; `case` is consumed.

    `target` names the new version in the reasons, e.g. "version 3".
    """
    before = case.open_steps()
    if before and before[0].is_start:
        return _restart(before[0].task_id, before[0].element_id, new_spec_json, script_engine)
    workflow = case.workflow
    old_name = workflow.spec.name
    new_spec, new_subprocess_specs = load_specs(new_spec_json)
    spec_diffs = _spec_diffs(workflow, new_spec, new_subprocess_specs)
    top_diff = WorkflowDiff(workflow, spec_diffs[old_name])
    sub_diffs = {
        sub_id: None if spec_diffs[sub.spec.name] is None else WorkflowDiff(sub, spec_diffs[sub.spec.name])
        for sub_id, sub in workflow.subprocesses.items()
    }
    reasons = _reasons(top_diff, target)
    for sub_id, sub_diff in sub_diffs.items():
        if sub_diff is None:
            reasons.append(f"subprocess {workflow.subprocesses[sub_id].spec.name!r} no longer exists in {target}")
        else:
            reasons.extend(_reasons(sub_diff, target))
    reasons.extend(_pruned_reasons(workflow, spec_diffs, target))
    if reasons:
        return CaseMove(None, _unique(reasons))
    expected = {step.task_id: _aligned_id(top_diff, sub_diffs, step.task_id, workflow) for step in before}
    try:
        migrate_workflow(top_diff, workflow, new_spec)
        for sub_id, sub_diff in sub_diffs.items():
            subprocess = workflow.subprocesses[sub_id]
            migrate_workflow(sub_diff, subprocess, new_subprocess_specs[subprocess.spec.name])
        workflow.subprocess_specs = new_subprocess_specs
        set_done_spec_names(workflow, _renamed_done(workflow, spec_diffs, top=(old_name, new_spec.name)))
        moved = Case.load(new_spec_json, Case(workflow).dump(), script_engine)
    except Exception as exc:  # the engine's own failure modes are many and untyped
        return CaseMove(None, [f"the engine could not move the case: {type(exc).__name__}: {exc}"])
    return _verified(moved, before, expected)


def _restart(old_task_id: str, old_element: str, new_spec_json: str, script_engine: Any) -> CaseMove:
    moved = Case.new(new_spec_json, script_engine)
    steps = moved.open_steps()
    if len(steps) != 1 or not steps[0].is_start:
        return CaseMove(None, ["the new version does not begin with a start form"])
    return CaseMove(moved, [], {old_task_id: steps[0].task_id}, {old_element: steps[0].element_id})


def _spec_diffs(workflow: Any, new_spec: Any, new_subprocess_specs: dict[str, Any]) -> dict[str, Any]:
    """Per spec name (the case's own and every subprocess spec it ran), the alignment with the new version; None
    when the new version no longer has that subprocess."""
    names = {sub.spec.name for sub in workflow.subprocesses.values()} | set(done_spec_names(workflow))
    diffs: dict[str, Any] = {workflow.spec.name: SpecDiff(SERIALIZER.registry, workflow.spec, new_spec)}
    for name in sorted(names - {workflow.spec.name}):
        old, new = workflow.subprocess_specs.get(name), new_subprocess_specs.get(name)
        diffs[name] = None if old is None or new is None else SpecDiff(SERIALIZER.registry, old, new)
    return diffs


def _pruned_reasons(workflow: Any, spec_diffs: dict[str, Any], target: str) -> list[str]:
    """What the completed steps pruned from the task tree (`engine.runtime.pruning`) forbid, as if still there."""
    reasons: list[str] = []
    for spec_name, done in sorted(done_spec_names(workflow).items()):
        spec_diff = spec_diffs.get(spec_name)
        if spec_diff is None:
            reasons.append(f"subprocess {spec_name!r} no longer exists in {target}")
            continue
        removed = {spec.name: spec for spec in spec_diff.removed}
        reasons.extend(
            f"step {_element(removed[name])!r}, already done in this application, no longer exists in {target}"
            for name in sorted(done & set(removed))
        )
    return reasons


def _renamed_done(workflow: Any, spec_diffs: dict[str, Any], *, top: tuple[str, str]) -> dict[str, set[str]]:
    """The pruned completed steps under their names in the new version (a step aligned by position may be renamed);
    `top` is the case's own spec name before and after."""
    renamed: dict[str, set[str]] = {}
    for spec_name, done in done_spec_names(workflow).items():
        spec_diff = spec_diffs.get(spec_name)
        by_name = {spec.name: new for spec, new in spec_diff.alignment.items() if new is not None} if spec_diff else {}
        key = top[1] if spec_name == top[0] else spec_name
        renamed.setdefault(key, set()).update(by_name[name].name if name in by_name else name for name in done)
    return renamed


def _reasons(diff: Any, target: str) -> list[str]:
    reasons: list[str] = []
    for task in diff.removed:
        name = _element(task.task_spec)
        if task.state & _OPEN:
            reasons.append(f"current task {name!r} no longer exists in {target}")
        elif task.state & TaskState.FINISHED_MASK:
            reasons.append(f"step {name!r}, already done in this application, no longer exists in {target}")
    for task in diff.changed:
        new_spec = diff.alignment.get(task)
        if task.state & _OPEN and new_spec is not None and _kind(task.task_spec) != _kind(new_spec):
            name, replacement = _element(task.task_spec), _element(new_spec)
            reasons.append(
                f"current task {name!r} no longer exists in {target} "
                f"(its place is taken by {replacement!r}, which is not a {_kind(task.task_spec)})"
            )
    return reasons


def _aligned_id(top_diff: Any, sub_diffs: dict[Any, Any], task_id: str, workflow: Any) -> str:
    for task, new_spec in top_diff.alignment.items():
        if str(task.id) == task_id and new_spec is not None:
            return _element(new_spec)
    for sub_diff in sub_diffs.values():
        for task, new_spec in sub_diff.alignment.items() if sub_diff else ():
            if str(task.id) == task_id and new_spec is not None:
                return _element(new_spec)
    return ""


def _verified(moved: Case, before: list[Any], expected: dict[str, str]) -> CaseMove:
    after = {step.task_id: step for step in moved.open_steps()}
    task_ids: dict[str, str] = {}
    elements: dict[str, str] = {}
    for step in before:
        now = after.get(step.task_id)
        if now is None or now.element_id != expected.get(step.task_id):
            waits = ", ".join(s.element_id for s in after.values()) or "nothing"
            return CaseMove(None, [f"after moving, the case would wait at {waits} instead of {step.element_id!r}"])
        task_ids[step.task_id] = now.task_id
        elements[step.element_id] = now.element_id
    if len(after) != len(before):
        return CaseMove(None, ["after moving, the case would wait at other steps than before"])
    return CaseMove(moved, [], task_ids, elements)


def _element(spec: Any) -> str:
    return str(getattr(spec, "bpmn_id", None) or spec.name)


def _kind(spec: Any) -> str:
    return "user task" if isinstance(spec, UserTask) or getattr(spec, "manual", False) else type(spec).__name__


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
