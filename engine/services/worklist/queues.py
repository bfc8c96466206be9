"""Officials' queues: open tasks of their groups, claim and release. Queries only, no workflow loads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.db import session_now
from engine.models import ApplicationStatus, HumanTask, TaskStatus
from engine.services.cache import caches_of
from engine.services.cases.access import is_candidate
from engine.services.cases.steps import view_of
from engine.services.cases.views import TaskView, task_view
from engine.services.context import Actor
from engine.services.errors import ForbiddenError, NotFoundError, TaskClaimedByOtherError, TaskNotOpenError
from engine.store import audit, catalog, tasks


def queue(
    db: Session,
    actor: Actor,
    *,
    service_id: str | None = None,
    organisation_id: int | None = None,
    unassigned_only: bool = False,
) -> list[TaskView]:
    """Open tasks the official may take (their groups, their organisations)."""
    if not actor.is_staff:
        raise ForbiddenError("queue")
    service_pk = None
    if service_id:
        service = catalog.find_service(db, service_id)
        if service is None:
            return []
        service_pk = service.id
    rows = tasks.queue(
        db,
        group_slugs=sorted(actor.group_slugs),
        username=actor.username,
        organisation_ids=None if actor.is_admin else sorted(actor.organisation_ids),
        overseen_organisation_ids=sorted(actor.overseen_organisation_ids),
        service_id=service_pk,
        organisation_id=organisation_id,
        unassigned_only=unassigned_only,
        any_candidate=actor.is_admin,
    )
    return _views(db, actor, rows)


def my_tasks(db: Session, actor: Actor) -> list[TaskView]:
    if not actor.is_staff or actor.user_id is None:
        raise ForbiddenError("my tasks")
    rows = tasks.queue(db, group_slugs=[], username=actor.username, organisation_ids=None, assignee_id=actor.user_id)
    return _views(db, actor, rows)


def open_official_task(db: Session, actor: Actor, task_id: str) -> HumanTask:
    """An open official task of a running case that the actor may take (else not found / not open)."""
    task = tasks.get_with_application(db, task_id)
    if task is None or task.for_applicant or not is_candidate(actor, task) or actor.user_id is None:
        raise NotFoundError(task_id)
    if task.status != TaskStatus.OPEN.value or task.application.status != ApplicationStatus.ACTIVE.value:
        raise TaskNotOpenError(task_id)
    return task


def _record(db: Session, actor: Actor, task: HumanTask, action: str) -> tuple[TaskView, dict[str, Any]]:
    audit.record(
        db,
        action=action,
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=task.application_id,
        task_id=task.id,
        element_id=task.element_id,
    )
    return view_of(db, actor, task), json.loads(task.application.data_json or "{}")


def claim(db: Session, actor: Actor, task_id: str) -> tuple[TaskView, dict[str, Any]]:
    """Take the task; exactly one of two officials claiming at once wins (one conditional UPDATE).

    Answers with the task as now held and the application's answers so far (for its read-only copies)."""
    task = open_official_task(db, actor, task_id)
    if not tasks.claim(db, task_id, actor.user_id or 0):
        db.refresh(task)
        if task.status != TaskStatus.OPEN.value:
            raise TaskNotOpenError(task_id)
        raise TaskClaimedByOtherError(task_id)
    set_committed_value(task, "assignee_id", actor.user_id)
    db.expire(task, ["assignee"])  # now the actor: named without a query (known_people)
    return _record(db, actor, task, "task.claimed")


def release(db: Session, actor: Actor, task_id: str) -> tuple[TaskView, dict[str, Any]]:
    task = open_official_task(db, actor, task_id)
    if task.assignee_id is None:
        return view_of(db, actor, task), json.loads(task.application.data_json or "{}")
    if not tasks.release(db, task_id, None if actor.is_admin else actor.user_id):
        raise TaskClaimedByOtherError(task_id)
    set_committed_value(task, "assignee_id", None)
    db.expire(task, ["assignee"])
    return _record(db, actor, task, "task.released")


def _views(db: Session, actor: Actor, rows: Sequence[HumanTask]) -> list[TaskView]:
    now = session_now(db)
    caches = caches_of(db)
    return [
        task_view(t, caches.version(db, t.application.service_version_id).manifest, locale=actor.locale, now=now)
        for t in rows
    ]
