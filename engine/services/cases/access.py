"""Who may see an application and who may act on a task. Invisible things are reported as missing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.models import Application, HumanTask
from engine.services.context import Actor
from engine.store import tasks


def can_view_application(db: Session, actor: Actor, application: Application) -> bool:
    if actor.user_id is not None and application.applicant_id == actor.user_id:
        return True
    if actor.is_admin:
        return True
    if actor.is_official:
        seen = actor.organisation_ids | actor.overseen_organisation_ids
        if application.organisation_id in seen:
            return True
        return bool(tasks.organisations_of_application(db, application.id) & seen)
    return False


def is_candidate(actor: Actor, task: HumanTask) -> bool:
    if task.for_applicant:
        return actor.user_id is not None and task.application.applicant_id == actor.user_id
    if not actor.is_staff:
        return False
    if actor.is_admin:
        return True
    in_org = task.organisation_id is None or task.organisation_id in actor.organisation_ids
    named = actor.username in task.users or task.assignee_id == actor.user_id
    overseen = task.organisation_id is not None and task.organisation_id in actor.overseen_organisation_ids
    return named or overseen or (in_org and bool(actor.group_slugs.intersection(task.groups)))


def can_view_task(db: Session, actor: Actor, task: HumanTask) -> bool:
    return is_candidate(actor, task) or can_view_application(db, actor, task.application)
