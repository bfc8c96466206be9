"""Doing a human step: check who may, validate the answers, then run the step path (`engine.services.cases.step`).

The task, its application, its candidates and its holder come in one statement (the application locked when the
step will run); completing the task row is one conditional UPDATE, so two people sending the same task at once
cannot both succeed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from engine.db import session_now
from engine.forms import FieldError, FieldType, Form, check_submission, clean_form_data
from engine.models import ApplicationStatus, HumanTask, TaskStatus
from engine.runtime.cases import StepNotOpenError
from engine.services.cache import caches_of
from engine.services.cases.access import can_view_task, is_candidate
from engine.services.cases.applications import light_view
from engine.services.cases.prefill import presented_form, with_verified_answers, written_on_submit
from engine.services.cases.step import load_case, save_case
from engine.services.cases.views import ApplicationView, TaskView, task_view
from engine.services.context import Actor, Platform
from engine.services.errors import (
    ForbiddenError,
    NotFoundError,
    TaskClaimedByOtherError,
    TaskNotOpenError,
    ValidationFailedError,
)
from engine.store import attachments, tasks

EMPTY_FORM = Form.single_page(None, None, ())


def get_task(db: Session, actor: Actor, task_id: str) -> TaskView:
    return view_of(db, actor, visible_task(db, actor, task_id))


def get_task_with_data(db: Session, actor: Actor, task_id: str) -> tuple[TaskView, dict[str, Any]]:
    """The task and its application's answers so far (what read-only copies in its form show)."""
    task = visible_task(db, actor, task_id)
    return view_of(db, actor, task), json.loads(task.application.data_json or "{}")


def get_task_in_application(db: Session, actor: Actor, task_id: str) -> tuple[TaskView, ApplicationView]:
    """The task and the light view of its application (what a form page shows), in one statement or two."""
    task = visible_task(db, actor, task_id)
    version = caches_of(db).version(db, task.application.service_version_id)
    open_rows = [task] if task.status == TaskStatus.OPEN.value else []
    return view_of(db, actor, task), light_view(db, actor, task.application, version, open_rows)


def view_of(db: Session, actor: Actor, task: HumanTask) -> TaskView:
    manifest = caches_of(db).version(db, task.application.service_version_id).manifest
    people = {actor.user_id: actor.username} if actor.user_id is not None else {}
    return task_view(task, manifest, locale=actor.locale, now=session_now(db), known_people=people)


def visible_task(db: Session, actor: Actor, task_id: str, *, lock: bool = False) -> HumanTask:
    task = tasks.get_with_application(db, task_id, lock_application=lock)
    if task is None or not can_view_task(db, actor, task):
        raise NotFoundError(task_id)
    return task


def actionable_task(db: Session, actor: Actor, task_id: str, *, lock: bool = False) -> HumanTask:
    """An open task the actor may do now; a case stopped by an error offers no task until it is resolved."""
    task = visible_task(db, actor, task_id, lock=lock)
    if not is_candidate(actor, task):
        raise ForbiddenError(task_id)
    if task.status != TaskStatus.OPEN.value or task.application.status != ApplicationStatus.ACTIVE.value:
        raise TaskNotOpenError(task_id)
    if task.assignee_id is not None and task.assignee_id != actor.user_id and not actor.is_admin:
        raise TaskClaimedByOtherError(task_id)
    return task


def form_of(db: Session, task: HumanTask) -> Form:
    step = caches_of(db).version(db, task.application.service_version_id).manifest.step(task.element_id)
    return step.form if step is not None and step.form is not None else EMPTY_FORM


def _form_to_fill(db: Session, task: HumanTask) -> Form:
    """The task's form as it is offered (the office picker as a list), so answers are checked against that."""
    return presented_form(db, form_of(db, task)) or EMPTY_FORM


def save_draft_page(db: Session, actor: Actor, task_id: str, page: int, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate one page of a long form and keep its answers; raises ValidationFailedError with what was typed."""
    task = actionable_task(db, actor, task_id)
    form = _form_to_fill(db, task)
    raw, refused = _verified(actor, task, form, raw, page=page)
    cleaned, errors = clean_form_data(
        form, raw, page=page, attachment_exists=_attachment_checker(db, actor, task.application_id, form, raw)
    )
    errors = {**errors, **refused}
    if errors:
        raise ValidationFailedError(form, errors)
    draft: dict[str, Any] = json.loads(task.draft_json or "{}")
    for field in form.fields_on_page(page):
        draft.pop(field.name, None)
    draft.update(cleaned)
    task.draft_json = json.dumps(draft, ensure_ascii=False)
    db.flush()
    return draft


def _verified(
    actor: Actor, task: HumanTask, form: Form, raw: dict[str, Any], *, page: int | None = None
) -> tuple[dict[str, Any], dict[str, FieldError]]:
    """The applicant's own form takes what an identity provider vouched for (prefill.with_verified_answers)."""
    if not task.for_applicant or task.application.applicant_id != actor.user_id:
        return raw, {}
    return with_verified_answers(actor, form, raw, page=page)


def _attachment_checker(
    db: Session, actor: Actor, application_id: int, form: Form, raw: dict[str, Any]
) -> Callable[[str], bool]:
    """A file answer must be the actor's own new upload or a file already attached to this application.

    The form's file answers are read in one query before validation asks about each."""
    wanted = [str(raw[f.name]) for f in form.fields if f.type == FieldType.FILE and raw.get(f.name)]
    found = attachments.get_many(db, wanted)

    def exists(attachment_id: str) -> bool:
        attachment = found.get(str(attachment_id))
        if attachment is None:
            return False
        if attachment.application_id is None:
            return attachment.owner_id == actor.user_id
        return attachment.application_id == application_id

    return exists


Answers = Callable[[TaskView, dict[str, Any]], dict[str, Any]]
"""The answers to send, from the task as it is now (its saved draft) and the application's data so far."""


def complete_task(
    db: Session,
    platform: Platform,
    actor: Actor,
    task_id: str,
    raw: dict[str, Any] | Answers,
    *,
    strict: bool = False,
    reference: str | None = None,
) -> ApplicationView:
    """Validate and send the task's answers, then run the case on; answers with the light view of the application.

    `raw` may be a function of the locked task and the data (a check-answers page sends the saved draft: read under
    the lock, it cannot be older than the task). `reference`: the task must belong to that application.
    `strict` (the API): the data must fit the task's submission schema as sent (`engine.forms.check_submission`:
    types, unknown keys, untrimmed text…), rather than be cleaned leniently as the pages' form posts are.
    """
    task = actionable_task(db, actor, task_id, lock=True)
    if reference is not None and task.application.reference != reference:
        raise NotFoundError(task_id)
    form = _form_to_fill(db, task)
    if callable(raw):
        raw = raw(replace(view_of(db, actor, task), form=form), json.loads(task.application.data_json or "{}"))
    raw, differs = _verified(actor, task, form, raw)
    cleaned, errors = clean_form_data(
        form, raw, attachment_exists=_attachment_checker(db, actor, task.application_id, form, raw)
    )
    if strict and (refused := check_submission(form, raw)):
        errors = {**errors, **refused}  # the schema's reasons win: they say what the API expects
    errors = {**errors, **differs}
    if errors:
        raise ValidationFailedError(form, errors)
    opened = load_case(db, platform, task.application)
    application = opened.application
    try:
        cleaned = {**cleaned, **written_on_submit(form, {**opened.case.data_at(task_id), **cleaned})}
        result = opened.case.complete(task_id, cleaned)
    except StepNotOpenError as exc:
        raise TaskNotOpenError(task_id) from exc
    now = platform.clock.now()
    holder = None if actor.is_admin else actor.user_id
    if not tasks.complete_open(db, task, by_id=actor.user_id, at=now, holder_may_be=holder):
        raise TaskClaimedByOtherError(task_id)  # taken meanwhile (a closed task fails the engine's check above)
    opened.closed.add(task.id)
    file_ids = [str(cleaned[f.name]) for f in form.fields if f.type == FieldType.FILE and f.name in cleaned]
    attachments.link_to_application(db, file_ids, owner_id=actor.user_id or 0, application_id=application.id)
    opened.record(
        db,
        action="task.completed",
        actor_id=actor.user_id,
        actor=actor.username,
        task_id=task.id,
        element_id=task.element_id,
        details={"fields": cleaned, "for_applicant": task.for_applicant},
    )
    if task.is_start_form:
        application.submitted_at = now
        opened.record(
            db,
            action="application.submitted",
            actor_id=actor.user_id,
            actor=actor.username,
            element_id=task.element_id,
        )
    change = save_case(db, platform, opened, result, completed_task=task)
    still_open = tasks.get_many(db, change.still_open) if change.still_open else []
    return light_view(db, actor, application, opened.version, [*still_open, *change.added])
