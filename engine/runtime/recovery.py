"""Getting a case past a failed step: run the failed steps again, or mark them done without running them."""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from engine.runtime.cases import Case, StepResult


def failed_steps(case: Case) -> list[str]:
    return case.error_tasks()


def retry_failed(case: Case) -> StepResult:
    """Make the steps in ERROR runnable again and let the engine run them."""
    for task in case.workflow.get_tasks(state=TaskState.ERROR):
        task._set_state(TaskState.READY)
    return case.advance()


def skip_failed(case: Case) -> StepResult:
    """Complete the steps in ERROR as if they had run, keeping the data they had, and continue."""
    for task in case.workflow.get_tasks(state=TaskState.ERROR):
        task.complete()
    return case.advance()
