"""The worker's registries are complete: every kind of job the platform queues has a handler, and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

from engine.paths import ENGINE_DIR
from engine.services.background.jobs import JobKind
from engine.services.background.registry import JOB_KINDS, SCHEDULERS
from engine.services.handlers.registry import HANDLERS, handler_names


def _queued_kinds() -> set[str]:
    """Every `kind=JobKind.X` passed to enqueue_job anywhere in the engine."""
    found: set[str] = set()
    for path in Path(ENGINE_DIR).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "enqueue_job"):
                continue
            kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            assert isinstance(kind, ast.Attribute) and getattr(kind.value, "id", None) == "JobKind", (
                f"{path}:{node.lineno}: enqueue_job must be given a JobKind member"
            )
            found.add(JobKind[kind.attr].value)
    return found


def test_every_job_kind_that_can_be_queued_has_a_handler() -> None:
    queued = _queued_kinds()
    assert queued, "no enqueue_job call found: the scan is broken"
    assert queued <= set(JOB_KINDS), f"queued without a handler: {sorted(queued - set(JOB_KINDS))}"
    assert set(JobKind) == set(JOB_KINDS), "every JobKind has exactly one registry entry"
    assert all(callable(handlers.run) for handlers in JOB_KINDS.values())


def test_the_worker_schedules_timers_escalations_deadlines_and_the_digest() -> None:
    names = {scheduler.__name__ for scheduler in SCHEDULERS}
    assert names == {
        "enqueue_due_timers",
        "enqueue_due_escalations",
        "notify_missed_deadlines",
        "schedule_official_digest",
        "schedule_audit_anchor",
        "schedule_statistics",
    }


def test_service_task_handlers_are_listed_by_their_own_names() -> None:
    assert handler_names() == sorted(
        ["send_email", "http_call", "generate_pdf", "set_variables", "igov_mail", "igov_bean"]
    )
    assert all(name == handler.name for name, handler in HANDLERS.items())
