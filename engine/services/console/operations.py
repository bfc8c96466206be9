"""The operator console's actions on a case: suspend, resume, cancel, reassign a task. Each takes a reason, is
audited and (where it concerns the citizen) mailed to them, in the caller's transaction.

`expected_version` is the application's version the operator saw: when the case changed since (another operator
acted, a step ran), nothing is changed and ConcurrentUpdateError says so.

A suspended case accepts no step (its status is not "active", which every step path requires), fires no timer
(the worker only looks at active cases) and runs no job (its jobs are held). Its deadlines pause: on resume,
open tasks' due dates and the timers it waits for move later by the calendar time it was suspended.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from engine.models import Application, ApplicationStatus, HumanTask, TaskCandidate
from engine.runtime.cases import Case
from engine.runtime.pausing import shift_timers
from engine.services.background.recovery import cancel_application
from engine.services.cases.step import flush_case
from engine.services.console.case_file import find_case
from engine.services.console.search import console_scope
from engine.services.context import Actor, Platform
from engine.services.errors import ConcurrentUpdateError, ConflictError, ForbiddenError, NotFoundError, RefusedError
from engine.services.mail.outbox import queue_email
from engine.store import applications, audit, case_file, tasks
from engine.store import directory as directory_store


class CaseActionRefusedError(RefusedError):
    """Reasons: "not_running" (closed or already suspended), "not_suspended", "no_reason", "no_such_person",
    "no_such_group", "task_closed"."""


def _locked(db: Session, actor: Actor, reference: str, expected_version: int | None) -> Application:
    application = applications.lock(db, find_case(db, actor, reference).id)
    if expected_version is not None and application.version != expected_version:
        raise ConcurrentUpdateError(application.reference)
    return application


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise CaseActionRefusedError("no_reason")
    return reason


def _audit(db: Session, actor: Actor, application: Application, action: str, **details: object) -> None:
    audit.record(
        db,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=application.id,
        details=details,
    )


def _mail(db: Session, platform: Platform, application: Application, template: str, reason: str) -> None:
    applicant = application.applicant
    if not applicant.email:
        return
    queue_email(
        db,
        platform,
        to=applicant.email,
        template=template,
        context={"reason": reason},
        locale=applicant.locale or platform.settings.default_locale,
        application_id=application.id,
        key=f"{template}.{application.reference}.{application.version}",
    )


def suspend_case(
    db: Session, platform: Platform, actor: Actor, reference: str, reason: str, *, expected_version: int | None
) -> Application:
    reason = _reason(reason)
    application = _locked(db, actor, reference, expected_version)
    if application.status not in (ApplicationStatus.ACTIVE.value, ApplicationStatus.ERROR.value):
        raise CaseActionRefusedError("not_running")
    now = platform.clock.now()
    application.suspended_from = application.status
    application.suspended_at = now
    application.status = ApplicationStatus.SUSPENDED.value
    application.updated_at = now
    held = case_file.hold_jobs(db, application.id)
    flush_case(db, application)
    _audit(db, actor, application, "application.suspended", reason=reason, jobs_held=held)
    _mail(db, platform, application, "case_suspended", reason)
    return application


def resume_case(
    db: Session, platform: Platform, actor: Actor, reference: str, reason: str, *, expected_version: int | None
) -> Application:
    reason = _reason(reason)
    application = _locked(db, actor, reference, expected_version)
    if application.status != ApplicationStatus.SUSPENDED.value or application.suspended_at is None:
        raise CaseActionRefusedError("not_suspended")
    now = platform.clock.now()
    paused = max(now - application.suspended_at, timedelta(0))
    open_tasks = tasks.open_for_application(db, application.id)
    for task in open_tasks:
        if task.due_at is not None:
            task.due_at = task.due_at + paused
    version = platform.caches.version(db, application.service_version_id)
    case = Case.load(
        platform.caches.spec_json(db, version.row.spec_digest),
        application.state_json,
        platform.script_engine,
        platform.clock,
    )
    moved = shift_timers(case, paused)
    if moved:
        application.state_json = case.dump()
    application.next_timer_at = case.next_timer_at()
    application.status = application.suspended_from or ApplicationStatus.ACTIVE.value
    application.suspended_at = None
    application.suspended_from = None
    application.updated_at = now
    released = case_file.release_jobs(db, application.id, now=now)
    flush_case(db, application)
    _audit(
        db,
        actor,
        application,
        "application.resumed",
        reason=reason,
        paused_seconds=int(paused.total_seconds()),
        timers_moved=moved,
        jobs_released=released,
    )
    _mail(db, platform, application, "case_resumed", reason)
    return application


def cancel_case(
    db: Session, platform: Platform, actor: Actor, reference: str, reason: str, *, expected_version: int | None
) -> Application:
    """Administrators only (as on the incident page): open steps cancelled, queued work dropped, citizen told."""
    if not actor.is_admin:
        raise ForbiddenError("administrators cancel cases")
    reason = _reason(reason)
    application = _locked(db, actor, reference, expected_version)
    case_file.release_jobs(db, application.id, now=platform.clock.now())  # a suspended case's held jobs are dropped
    try:
        cancel_application(db, platform, actor, application.reference, reason)
    except ConflictError as exc:
        raise CaseActionRefusedError("not_running") from exc
    application.suspended_at = None
    application.suspended_from = None
    _mail(db, platform, application, "case_cancelled", reason)
    return application


def reassign_task(
    db: Session,
    platform: Platform,
    actor: Actor,
    reference: str,
    task_id: str,
    *,
    reason: str,
    username: str = "",
    group: str = "",
    expected_version: int | None,
) -> Application:
    """Give an open task to a person (who then holds it) or to a group (its queue, nobody holding it)."""
    reason = _reason(reason)
    application = _locked(db, actor, reference, expected_version)
    task = tasks.get(db, task_id)
    if task is None or task.application_id != application.id:
        raise NotFoundError(task_id)
    if task.status != "open" or task.for_applicant:
        raise CaseActionRefusedError("task_closed")
    before = {"assignee": task.assignee.username if task.assignee else "", "groups": task.groups}
    if username:
        person = directory_store.find_user(db, username.strip())
        if person is None or not person.active or person.role not in ("official", "admin"):
            raise CaseActionRefusedError("no_such_person")
        task.assignee_id = person.id
        after = {"assignee": person.username}
    else:
        found = directory_store.find_group(db, group.strip()) if group.strip() else None
        scope = console_scope(actor)
        if found is None or (scope is not None and found.organisation_id not in scope):
            raise CaseActionRefusedError("no_such_group")
        _replace_groups(task, found.slug)
        task.assignee_id = None
        task.organisation_id = found.organisation_id
        after = {"group": found.slug}
    application.updated_at = platform.clock.now()
    flush_case(db, application)
    audit.record(
        db,
        action="task.reassigned",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=application.id,
        task_id=task.id,
        element_id=task.element_id,
        details={"reason": reason, "before": before, "after": after},
    )
    return application


def _replace_groups(task: HumanTask, slug: str) -> None:
    candidates = task.candidates
    for candidate in [c for c in candidates if c.kind == "group"]:
        candidates.remove(candidate)
    candidates.append(TaskCandidate(kind="group", value=slug))
