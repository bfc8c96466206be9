"""Service tasks in the background: one job per parked service task, run by the worker with the named handler.

After every run of a case, the step path (`engine.services.cases.step.enqueue_service_tasks`) queues a
"service_task" job for each service task the engine parked (dedupe key per application and task, so calling it
twice queues nothing new). The job runs the handler
in the job's transaction with the application locked, stores the result, completes the task and runs the case on;
a handler failure is retried with back-off and then becomes an incident, which an administrator may retry or
skip (skip completes the task without running the handler).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.models import ApplicationStatus, Job
from engine.runtime.service_tasks import ServiceCall, finish_service_task, service_call
from engine.services.background.jobs import JobError, PermanentJobError
from engine.services.cases.step import OpenCase, open_case, save_case
from engine.services.context import Actor, Platform
from engine.services.handlers import HandlerContext, HandlerError
from engine.services.handlers.registry import get_handler
from engine.store import audit


def _parked(db: Session, platform: Platform, job: Job) -> tuple[OpenCase, ServiceCall] | None:
    """The opened case and call of the job; None when there is nothing left to do (a re-run after success)."""
    if job.application_id is None:
        return None
    opened = open_case(db, platform, job.application_id)
    if opened.application.status != ApplicationStatus.ACTIVE.value:
        return None
    call = service_call(opened.case, str(job.payload.get("task_id", "")))
    return None if call is None else (opened, call)


def run_service_task(db: Session, platform: Platform, job: Job) -> None:
    found = _parked(db, platform, job)
    if found is None:
        return
    opened, call = found
    handler = get_handler(call.topic)
    if handler is None:
        raise PermanentJobError(
            f"no service task handler named {call.topic!r}", element_id=call.element_id, incident_kind="handler"
        )
    context = HandlerContext(
        db=db,
        platform=platform,
        application=opened.application,
        element_id=call.element_id,
        task_id=call.task_id,
        now=platform.clock.now(),
        data=opened.case.data_at(call.task_id),
    )
    try:
        result = handler.function(context, dict(call.inputs))
    except HandlerError as exc:
        raise PermanentJobError(f"{call.topic}: {exc}", element_id=call.element_id, incident_kind="handler") from exc
    except Exception as exc:
        raise JobError(f"{call.topic}: {exc}", element_id=call.element_id, incident_kind="handler") from exc
    variables = _variables(call, handler.merge, result)
    _finish(db, platform, opened, call, variables, action="service_task.completed", actor=None)


def _variables(call: ServiceCall, merge: bool, result: Any) -> dict[str, Any]:
    if merge:
        if not isinstance(result, dict):
            raise PermanentJobError(f"{call.topic} must return a dict of variables", element_id=call.element_id)
        return dict(result)
    return {call.result_variable: result} if call.result_variable else {}


def skip_service_task(db: Session, platform: Platform, job: Job, actor: Actor, reason: str) -> None:
    """An administrator skipped the incident: complete the task without running its handler (result None)."""
    found = _parked(db, platform, job)
    if found is None:
        return
    opened, call = found
    variables: dict[str, Any] = {call.result_variable: None} if call.result_variable else {}
    _finish(db, platform, opened, call, variables, action="service_task.skipped", actor=actor, reason=reason)


def _finish(
    db: Session,
    platform: Platform,
    opened: OpenCase,
    call: ServiceCall,
    variables: dict[str, Any],
    *,
    action: str,
    actor: Actor | None,
    reason: str | None = None,
) -> None:
    result = finish_service_task(opened.case, call.task_id, variables)
    details: dict[str, Any] = {"topic": call.topic, "variables": sorted(variables)}
    if reason is not None:
        details["reason"] = reason
    audit.record(
        db,
        action=action,
        actor_id=actor.user_id if actor else None,
        actor=actor.username if actor else "worker",
        application_id=opened.application.id,
        task_id=call.task_id,
        element_id=call.element_id,
        details=details,
    )
    save_case(db, platform, opened, result)  # also queues the service tasks reached next
