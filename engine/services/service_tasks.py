"""Service tasks in the background: one job per parked service task, run by the worker with the named handler.

After every run of a case, `enqueue_service_tasks` queues a "service_task" job for each service task the engine
parked (dedupe key per application and task, so calling it twice queues nothing new). The job runs the handler
in the job's transaction with the application locked, stores the result, completes the task and runs the case on;
a handler failure is retried with back-off and then becomes an incident, which an administrator may retry or
skip (skip completes the task without running the handler).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.models import Application, ApplicationStatus, Job
from engine.runtime.cases import Case
from engine.runtime.service_tasks import ServiceCall, finish_service_task, service_call, started_service_tasks
from engine.services.context import Actor, Platform
from engine.services.handlers import HandlerContext, HandlerError, get_handler
from engine.services.incidents import save_after_run
from engine.services.jobs import JobError, PermanentJobError, enqueue_job, job_handler
from engine.store import applications, audit, catalog

JOB_KIND = "service_task"
DEFAULT_ATTEMPTS = 5
MAX_ATTEMPTS = 20


def enqueue_service_tasks(db: Session, platform: Platform, application: Application, case: Case) -> int:
    """Queue a job for every parked service task of the case; returns how many the case has waiting."""
    if application.status != ApplicationStatus.ACTIVE.value:
        return 0
    calls = started_service_tasks(case)
    for call in calls:
        enqueue_job(
            db,
            platform,
            kind=JOB_KIND,
            payload={"task_id": call.task_id, "element_id": call.element_id, "topic": call.topic},
            application_id=application.id,
            dedupe_key=f"{JOB_KIND}:{application.id}:{call.task_id}",
            max_attempts=_attempts(call),
        )
    return len(calls)


def _attempts(call: ServiceCall) -> int:
    """`retries` (an input of http_call, or of any handler) sets the attempts: retries + 1."""
    retries = call.inputs.get("retries")
    if isinstance(retries, int | float) and not isinstance(retries, bool):
        return max(1, min(int(retries) + 1, MAX_ATTEMPTS))
    return DEFAULT_ATTEMPTS


def _load(db: Session, platform: Platform, application: Application) -> Case:
    spec_json = catalog.get_spec_json(db, application.service_version.spec_digest)
    return Case.load(spec_json, application.state_json, platform.script_engine, platform.clock)


def _parked(db: Session, platform: Platform, job: Job) -> tuple[Application, Case, ServiceCall] | None:
    """The application, case and call of the job; None when there is nothing left to do (a re-run after success)."""
    application = applications.get(db, job.application_id) if job.application_id is not None else None
    if application is None or application.status != ApplicationStatus.ACTIVE.value:
        return None
    case = _load(db, platform, application)
    call = service_call(case, str(job.payload.get("task_id", "")))
    return None if call is None else (application, case, call)


def run_service_task(db: Session, platform: Platform, job: Job) -> None:
    found = _parked(db, platform, job)
    if found is None:
        return
    application, case, call = found
    handler = get_handler(call.topic)
    if handler is None:
        raise PermanentJobError(
            f"no service task handler named {call.topic!r}", element_id=call.element_id, incident_kind="handler"
        )
    context = HandlerContext(
        db=db,
        platform=platform,
        application=application,
        element_id=call.element_id,
        task_id=call.task_id,
        now=platform.clock.now(),
        data=case.data_at(call.task_id),
    )
    try:
        result = handler.function(context, dict(call.inputs))
    except HandlerError as exc:
        raise PermanentJobError(f"{call.topic}: {exc}", element_id=call.element_id, incident_kind="handler") from exc
    except Exception as exc:
        raise JobError(f"{call.topic}: {exc}", element_id=call.element_id, incident_kind="handler") from exc
    variables = _variables(call, handler.merge, result)
    _finish(db, platform, application, case, call, variables, action="service_task.completed", actor=None)


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
    application, case, call = found
    variables: dict[str, Any] = {call.result_variable: None} if call.result_variable else {}
    _finish(db, platform, application, case, call, variables, action="service_task.skipped", actor=actor, reason=reason)


def _finish(
    db: Session,
    platform: Platform,
    application: Application,
    case: Case,
    call: ServiceCall,
    variables: dict[str, Any],
    *,
    action: str,
    actor: Actor | None,
    reason: str | None = None,
) -> None:
    result = finish_service_task(case, call.task_id, variables)
    details: dict[str, Any] = {"topic": call.topic, "variables": sorted(variables)}
    if reason is not None:
        details["reason"] = reason
    audit.record(
        db,
        action=action,
        actor_id=actor.user_id if actor else None,
        actor=actor.username if actor else "worker",
        application_id=application.id,
        task_id=call.task_id,
        element_id=call.element_id,
        details=details,
    )
    save_after_run(db, platform, application, case, result)  # also queues the service tasks reached next


job_handler(JOB_KIND, on_skip=skip_service_task)(run_service_task)
