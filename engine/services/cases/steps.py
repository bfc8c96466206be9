"""Doing a human step: validate the answers, then lock, load, run and save the case in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.forms import FieldType, Form, clean_form_data
from engine.models import HumanTask, TaskStatus
from engine.runtime.cases import StepNotOpenError
from engine.services.cases.access import can_view_task, is_candidate
from engine.services.cases.applications import build_view
from engine.services.cases.prefill import presented_form, written_on_submit
from engine.services.cases.step import open_case, save_case
from engine.services.cases.views import ApplicationView, TaskView, manifest_of, task_view
from engine.services.context import Actor, Platform
from engine.services.errors import (
    ForbiddenError,
    NotFoundError,
    TaskClaimedByOtherError,
    TaskNotOpenError,
    ValidationFailedError,
)
from engine.store import attachments, audit, tasks

EMPTY_FORM = Form.single_page(None, None, ())


def get_task(db: Session, actor: Actor, task_id: str) -> TaskView:
    task = _visible_task(db, actor, task_id)
    return task_view(task, manifest_of(task.application.service_version), locale=actor.locale, now=session_now(db))


def _visible_task(db: Session, actor: Actor, task_id: str) -> HumanTask:
    task = tasks.get(db, task_id)
    if task is None or not can_view_task(db, actor, task):
        raise NotFoundError(task_id)
    return task


def _actionable_task(db: Session, actor: Actor, task_id: str) -> HumanTask:
    task = _visible_task(db, actor, task_id)
    if not is_candidate(actor, task):
        raise ForbiddenError(task_id)
    if task.status != TaskStatus.OPEN.value:
        raise TaskNotOpenError(task_id)
    if task.assignee_id is not None and task.assignee_id != actor.user_id and not actor.is_admin:
        raise TaskClaimedByOtherError(task_id)
    return task


def form_of(task: HumanTask) -> Form:
    step = manifest_of(task.application.service_version).step(task.element_id)
    return step.form if step is not None and step.form is not None else EMPTY_FORM


def _form_to_fill(db: Session, task: HumanTask) -> Form:
    """The task's form as it is offered (the office picker as a list), so answers are checked against that."""
    return presented_form(db, form_of(task)) or EMPTY_FORM


def save_draft_page(db: Session, actor: Actor, task_id: str, page: int, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate one page of a long form and keep its answers; raises ValidationFailedError with what was typed."""
    task = _actionable_task(db, actor, task_id)
    form = _form_to_fill(db, task)
    cleaned, errors = clean_form_data(
        form, raw, page=page, attachment_exists=_attachment_checker(db, actor, task.application_id)
    )
    if errors:
        raise ValidationFailedError(form, errors)
    draft: dict[str, Any] = json.loads(task.draft_json or "{}")
    for field in form.fields_on_page(page):
        draft.pop(field.name, None)
    draft.update(cleaned)
    task.draft_json = json.dumps(draft, ensure_ascii=False)
    db.flush()
    return draft


def _attachment_checker(db: Session, actor: Actor, application_id: int) -> Callable[[str], bool]:
    """A file answer must be the actor's own new upload or a file already attached to this application."""

    def exists(attachment_id: str) -> bool:
        attachment = attachments.get(db, str(attachment_id))
        if attachment is None:
            return False
        if attachment.application_id is None:
            return attachment.owner_id == actor.user_id
        return attachment.application_id == application_id

    return exists


def complete_task(db: Session, platform: Platform, actor: Actor, task_id: str, raw: dict[str, Any]) -> ApplicationView:
    task = _actionable_task(db, actor, task_id)
    form = _form_to_fill(db, task)
    cleaned, errors = clean_form_data(form, raw, attachment_exists=_attachment_checker(db, actor, task.application_id))
    if errors:
        raise ValidationFailedError(form, errors)
    opened = open_case(db, platform, task.application_id)
    application = opened.application
    db.refresh(task)
    if task.status != TaskStatus.OPEN.value:
        raise TaskNotOpenError(task_id)
    if task.assignee_id is not None and task.assignee_id != actor.user_id and not actor.is_admin:
        raise TaskClaimedByOtherError(task_id)
    try:
        cleaned = {**cleaned, **written_on_submit(form, {**opened.case.data_at(task_id), **cleaned})}
        result = opened.case.complete(task_id, cleaned)
    except StepNotOpenError as exc:
        raise TaskNotOpenError(task_id) from exc
    now = platform.clock.now()
    tasks.close(db, task, status=TaskStatus.COMPLETED, by_id=actor.user_id, at=now)
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
    file_ids = [str(cleaned[f.name]) for f in form.fields if f.type == FieldType.FILE and f.name in cleaned]
    attachments.link_to_application(db, file_ids, owner_id=actor.user_id or 0, application_id=application.id)
    audit.record(
        db,
        action="task.completed",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=application.id,
        task_id=task.id,
        element_id=task.element_id,
        details={"fields": cleaned, "for_applicant": task.for_applicant},
    )
    if task.is_start_form:
        application.submitted_at = now
        audit.record(
            db,
            action="application.submitted",
            actor_id=actor.user_id,
            actor=actor.username,
            application_id=application.id,
            element_id=task.element_id,
        )
    save_case(db, platform, opened, result, completed_task=task)
    return build_view(db, actor, application)
