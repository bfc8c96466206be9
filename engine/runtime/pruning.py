"""Pruning a case's task tree before it is saved, so a case that loops stays as small and fast as a new one.

SpiffWorkflow keeps every task it ever ran, one tree level deeper per node a loop visits: the stored state,
each step's time and the depth grow with every round until the engine stalls at depth 1000. What the engine
reads again is only the frontier: the unfinished tasks (ERROR ones too: retry and skip run them), the tasks
their specs look at, and the branching points between them. Everything else is a finished linear chain; it is
cut out and each kept task hangs from its nearest kept ancestor, so the ancestor order of kept tasks (what
`is_descendant_of` and `find_ancestor` see) and the depth-first order of the tree are unchanged. Kept tasks
keep their data as it is (the serializer writes each task's delta against its new parent). Subprocesses whose
task was cut go too. A finished workflow is never pruned: its end event stays findable.

The past stays in the platform's audit; what the engine itself reads of it (migration's "already done") is the
set of steps that completed and were cut, per workflow spec, kept in the root task (see `done_spec_names`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

DONE_KEY = "posluhy_done_steps"
"""In the root task's internal data: {workflow spec name: [task spec names that completed and were cut]}."""

_LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR
_whole_tree: ContextVar[bool] = ContextVar("posluhy_whole_task_tree", default=False)


@contextmanager
def whole_task_tree() -> Iterator[None]:
    """Cases saved inside this block keep every task they ran (the engine's own behaviour), e.g. to compare."""
    token = _whole_tree.set(True)
    try:
        yield
    finally:
        _whole_tree.reset(token)


def prune_workflow(workflow: Any) -> int:
    """Cut what the engine will not read again from a running top-level workflow; returns how many tasks went."""
    if _whole_tree.get() or not _is_running(workflow):
        return 0
    done = done_spec_names(workflow)
    removed = _prune_tree(workflow, done) + _drop_orphaned_subprocesses(workflow, done)
    for subprocess in sorted(workflow.subprocesses.values(), key=lambda sp: sp.depth):
        if workflow.subprocesses.get(subprocess.parent_task_id) is subprocess and _is_running(subprocess):
            removed += _prune_tree(subprocess, done) + _drop_orphaned_subprocesses(workflow, done)
    if removed:
        set_done_spec_names(workflow, done)
    return removed


def done_spec_names(workflow: Any) -> dict[str, set[str]]:
    """Per workflow spec name, the task specs that completed and were pruned (not those still in the tree)."""
    stored = workflow.task_tree.internal_data.get(DONE_KEY) or {}
    return {str(name): {str(spec) for spec in specs} for name, specs in stored.items()}


def set_done_spec_names(workflow: Any, done: dict[str, set[str]]) -> None:
    """Replace the record of pruned completed steps (after a migration renamed some of them)."""
    if done:
        workflow.task_tree.internal_data[DONE_KEY] = {name: sorted(specs) for name, specs in sorted(done.items())}
    else:
        workflow.task_tree.internal_data.pop(DONE_KEY, None)


def completed_spec_names(workflow: Any) -> dict[str, set[str]]:
    """Per workflow spec name, every task spec that completed in this case: in the tree or pruned."""
    names = done_spec_names(workflow)
    for part in [workflow, *workflow.subprocesses.values()]:
        in_tree = {t.task_spec.name for t in part.tasks.values() if t.state == TaskState.COMPLETED}
        names.setdefault(part.spec.name, set()).update(in_tree)
    return {name: specs for name, specs in names.items() if specs}


def _is_running(workflow: Any) -> bool:
    return not workflow.completed and any(t.state & _LIVE for t in workflow.tasks.values())


def _prune_tree(workflow: Any, done: dict[str, set[str]]) -> int:
    tasks: dict[Any, Any] = workflow.tasks
    order = _preorder(workflow.task_tree, tasks)
    if len(order) != len(tasks):
        return 0  # tasks outside the tree: not a shape this module knows how to cut safely
    keep = _needed(workflow)
    keep |= _branch_points(keep, tasks)
    if len(keep) == len(tasks):
        return 0
    cut = [tasks[task_id] for task_id in order if task_id not in keep]
    done.setdefault(workflow.spec.name, set()).update(t.task_spec.name for t in cut if t.state == TaskState.COMPLETED)
    _relink(workflow, order, keep)
    waiting = workflow.top_workflow.event_manager.tasks
    for task in cut:
        waiting.pop(task.id, None)
    return len(cut)


def _needed(workflow: Any) -> set[Any]:
    """The tasks the engine reads again; each rule names the engine code that reads it."""
    tasks: dict[Any, Any] = workflow.tasks
    live = [t for t in tasks.values() if t.state & _LIVE]
    keep = {workflow.task_tree.id, *(t.id for t in live)}
    if workflow.last_task is not None and workflow.last_task.id in tasks:
        keep.add(workflow.last_task.id)  # SubWorkflowTask.update_data reads it; Case.current_data falls back to it
    by_spec: dict[str, list[Any]] = {}
    for task in tasks.values():
        by_spec.setdefault(task.task_spec.name, []).append(task)
    for task in live:
        if task._parent is not None:
            keep.add(task._parent)  # Task._inherit_data; joins read the parent's spec and state
        spec = task.task_spec
        if isinstance(spec, Join):
            keep.update(_arrivals(task, by_spec.get(spec.name, [])))
            if spec.split_task:  # BoundaryEventJoin finds its split, then reads the split's children
                split = _ancestor_named(task, spec.split_task)
                if split is not None:
                    keep.update([split.id, *split._children])
    return {task_id for task_id in keep if task_id in tasks}


def _arrivals(join: Any, same_spec: list[Any]) -> Iterator[Any]:
    """Finished tasks of a join's spec that count as arrived inputs in this round, with their parents.

    ParallelGateway and InclusiveGateway count a branch as arrived when a task of the join's spec hangs under
    the branch's completed last task. Only this round counts: under the join's last completed run, if any.
    (Instances from earlier rounds are not kept; the engine would count them as arrivals again.)
    """
    ancestors = set(_ancestor_ids(join))
    previous = next(
        (a for a in _ancestors(join) if a.task_spec is join.task_spec and a.state == TaskState.COMPLETED),
        None,
    )
    for task in same_spec:
        if task is join or task.id in ancestors or not task.state & TaskState.FINISHED_MASK:
            continue
        if previous is not None and previous.id not in _ancestor_ids(task):
            continue
        yield task.id
        if task._parent is not None:
            yield task._parent


def _ancestors(task: Any) -> Iterator[Any]:
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _ancestor_ids(task: Any) -> Iterator[Any]:
    return (a.id for a in _ancestors(task))


def _ancestor_named(task: Any, spec_name: str) -> Any | None:
    return next((a for a in _ancestors(task) if a.task_spec.name == spec_name), None)


def _branch_points(keep: set[Any], tasks: dict[Any, Any]) -> set[Any]:
    """Tasks under which two or more kept subtrees meet: the tree keeps its branching shape."""
    marked: set[Any] = set()
    marked_children: dict[Any, int] = {}
    for task_id in keep:
        node = task_id
        while node not in marked:
            marked.add(node)
            parent = tasks[node]._parent
            if parent is None:
                break
            marked_children[parent] = marked_children.get(parent, 0) + 1
            node = parent
    return {task_id for task_id, count in marked_children.items() if count > 1}


def _preorder(root: Any, tasks: dict[Any, Any]) -> list[Any]:
    order: list[Any] = []
    stack = [root.id]
    while stack:
        task_id = stack.pop()
        order.append(task_id)
        stack.extend(reversed([c for c in tasks[task_id]._children if c in tasks]))
    return order


def _relink(workflow: Any, order: Iterable[Any], keep: set[Any]) -> None:
    """Hang each kept task from its nearest kept ancestor, children in the original depth-first order."""
    tasks: dict[Any, Any] = workflow.tasks
    root_id = workflow.task_tree.id
    anchor: dict[Any, Any] = {root_id: root_id}  # task id -> nearest kept task at or above it
    new_parent: dict[Any, Any] = {}
    new_children: dict[Any, list[Any]] = {task_id: [] for task_id in keep}
    kept_order: list[Any] = []
    for task_id in order:
        parent = tasks[task_id]._parent
        if task_id != root_id:
            above = anchor[parent]
            if task_id in keep:
                new_parent[task_id] = above
                new_children[above].append(task_id)
            anchor[task_id] = task_id if task_id in keep else above
        if task_id in keep:
            kept_order.append(task_id)
    for task_id in kept_order:
        task = tasks[task_id]
        task._parent = new_parent.get(task_id)
        task._children = new_children[task_id]
    workflow.tasks = {task_id: tasks[task_id] for task_id in kept_order}  # parents first, as restoring needs


def _drop_orphaned_subprocesses(workflow: Any, done: dict[str, set[str]]) -> int:
    """Delete the subprocesses whose task was pruned (and the ones nested in them)."""
    removed = 0
    while True:
        present = set(workflow.tasks).union(*(sp.tasks for sp in workflow.subprocesses.values()))
        orphans = [task_id for task_id in workflow.subprocesses if task_id not in present]
        if not orphans:
            return removed
        waiting = workflow.event_manager.tasks
        for task_id in orphans:
            subprocess = workflow.subprocesses.pop(task_id)
            for task in subprocess.tasks.values():
                waiting.pop(task.id, None)
            completed = {t.task_spec.name for t in subprocess.tasks.values() if t.state == TaskState.COMPLETED}
            done.setdefault(subprocess.spec.name, set()).update(completed)
            removed += len(subprocess.tasks)
