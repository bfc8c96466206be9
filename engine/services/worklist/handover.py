"""Handing a claimed task to a colleague of the same group, with a note; the colleague is told by e-mail.

Only the official who holds the task hands it on (an administrator may hand on anyone's). The change is one
conditional UPDATE on the holder seen, so a hand-over racing a release or another hand-over changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from engine.models import HumanTask, Role, User
from engine.services.admin.accounts import actor_of
from engine.services.cache import caches_of
from engine.services.cases.access import is_candidate
from engine.services.context import Actor, Platform
from engine.services.errors import (
    ForbiddenError,
    RefusedError,
    TaskClaimedByOtherError,
)
from engine.services.mail.outbox import queue_email
from engine.services.worklist.queues import open_official_task
from engine.store import audit, tasks

NOTE_LIMIT: Final = 1000


class HandoverRefusedError(RefusedError):
    """`reason`: "not_holder" (only who holds the task hands it on), "not_colleague", "note_too_long"."""


@dataclass(frozen=True)
class Colleague:
    id: int
    username: str
    full_name: str


def colleagues(db: Session, actor: Actor, task_id: str) -> list[Colleague]:
    """Active officials of the task's candidate groups who could take it, other than the one holding it."""
    if not actor.is_staff:
        raise ForbiddenError("hand over")
    return _colleagues_of(db, actor, open_official_task(db, actor, task_id))


def _colleagues_of(db: Session, actor: Actor, task: HumanTask) -> list[Colleague]:
    found = []
    for user in tasks.members_of_groups(db, sorted(task.groups)):
        if user.id in (task.assignee_id, actor.user_id) or not user.active or user.role != Role.OFFICIAL.value:
            continue
        if is_candidate(actor_of(db, user), task):
            found.append(Colleague(user.id, user.username, user.full_name))
    return found


def hand_over(db: Session, platform: Platform, actor: Actor, task_id: str, *, to_user_id: int, note: str) -> Colleague:
    """Give the task to a colleague who could take it; audited (`task.handed_over`) and mailed to them."""
    task = open_official_task(db, actor, task_id)
    if task.assignee_id != actor.user_id and not actor.is_admin:
        raise HandoverRefusedError("not_holder")
    if len(note) > NOTE_LIMIT:
        raise HandoverRefusedError("note_too_long")
    chosen = next((c for c in _colleagues_of(db, actor, task) if c.id == to_user_id), None)
    if chosen is None:
        raise HandoverRefusedError("not_colleague")
    if not tasks.hand_over(db, task_id, holder=task.assignee_id or 0, to=chosen.id):
        raise TaskClaimedByOtherError(task_id)
    audit.record(
        db,
        action="task.handed_over",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=task.application_id,
        task_id=task.id,
        element_id=task.element_id,
        details={"to": chosen.username, "note": note},
    )
    _tell(db, platform, actor, task, chosen, note)
    return chosen


def _tell(db: Session, platform: Platform, actor: Actor, task: HumanTask, to: Colleague, note: str) -> None:
    user = db.get(User, to.id)
    if user is None or not user.email:
        return
    version = caches_of(db).version(db, task.application.service_version_id)
    queue_email(
        db,
        platform,
        to=user.email,
        template="task_handed_over",
        locale=user.locale,
        application_id=task.application_id,
        context={
            "name": user.full_name or user.username,
            "by": actor.full_name or actor.username,
            "step_title": task.title,
            "service_title": version.title_in(user.locale),
            "note": note,
            "task_link": f"{platform.settings.base_url.rstrip('/')}/staff/tasks/{task.id}",
        },
    )
