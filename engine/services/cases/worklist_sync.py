"""Keep the worklist table equal to the case's open human steps, in the same transaction as the state.

The invariant "one open row per open human step" holds after every save, so a step that knows which steps were
open before it ran (`open_before`) needs no query: it cancels the rows of steps that went away and inserts the
new ones. Without that knowledge (a new case, a migration) the open rows are read first.
Every new human task gets its due date (`engine.services.cases.deadlines`), counted with the calendar as configured now.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.bpmn.manifest import ServiceManifest, StepInfo
from engine.models import Application, HumanTask, TaskCandidate, TaskStatus
from engine.runtime.cases import Case
from engine.services.cache import PlatformCaches
from engine.services.cases.deadlines import due_or_none
from engine.services.igov.assignment import igov_people
from engine.store import directory, tasks


@dataclass
class WorklistChange:
    """What a save did to the worklist: the rows it wrote, and whether older rows stay open beside them."""

    added: list[HumanTask] = field(default_factory=list)
    still_open: set[str] = field(default_factory=set)


def sync_worklist(
    db: Session,
    caches: PlatformCaches,
    application: Application,
    case: Case,
    manifest: ServiceManifest,
    now: datetime,
    *,
    open_before: Collection[str] | None = None,
) -> WorklistChange:
    """`open_before`: ids of the rows open before the step (minus any it closed itself); None reads them."""
    open_steps = {step.task_id: step for step in case.open_steps()}
    existing = (
        set(open_before) if open_before is not None else {t.id for t in tasks.open_for_application(db, application.id)}
    )
    tasks.close_many(db, existing - set(open_steps), status=TaskStatus.CANCELLED, at=now)
    change = WorklistChange(still_open=existing & set(open_steps))
    for task_id, step in open_steps.items():
        if task_id in existing:
            continue
        info = manifest.step(step.element_id) or StepInfo(step.element_id, step.element_id, step.is_start, None)
        task = _new_task(db, caches, application, task_id, info, now, case)
        if not info.for_applicant and (info.due_date or manifest.sla_days):
            task.due_at = _due(db, caches, case, task_id, info, manifest, now)
        change.added.append(task)
    tasks.insert_many(db, change.added)
    return change


def _due(
    db: Session,
    caches: PlatformCaches,
    case: Case,
    task_id: str,
    info: StepInfo,
    manifest: ServiceManifest,
    now: datetime,
) -> datetime | None:
    work_calendar = caches.calendar(db)
    if info.due_date:

        def evaluate(expression: str) -> Any:
            environment = case.workflow.script_engine.environment
            return environment.evaluate(expression, case.data_at(task_id))

        due = due_or_none(info.due_date, now=now, calendar=work_calendar, evaluate=evaluate)
        if due is not None:
            return due
    return work_calendar.add_working_days(now, manifest.sla_days) if manifest.sla_days else None


def _new_task(
    db: Session,
    caches: PlatformCaches,
    application: Application,
    task_id: str,
    info: StepInfo,
    now: datetime,
    case: Case,
) -> HumanTask:
    task = HumanTask(
        id=task_id,
        element_id=info.element_id,
        title=info.name,
        is_start_form=info.is_start,
        for_applicant=info.for_applicant,
        organisation_id=application.organisation_id,
        status=TaskStatus.OPEN.value,
        draft_json="{}",
        created_at=now,
        candidates=[],
    )
    task.application_id = application.id
    set_committed_value(task, "application", application)  # for the views; no cascade (written with Core)
    if info.for_applicant:  # the applicant's own step: held by them from the start, in nobody's queue
        task.assignee_id = application.applicant_id
        return task
    slugs, assignee_name = list(info.groups), info.assignee
    if info.igov:  # iGov group names, computed from the case's data and mapped to our groups
        slugs, computed = igov_people(db, application, case, task_id, info)
        assignee_name = assignee_name or computed
    known = caches.directory(db).groups
    for slug in slugs:
        task.candidates.append(TaskCandidate(kind="group", value=slug))
    for username in info.candidate_users:
        task.candidates.append(TaskCandidate(kind="user", value=username))
    if assignee_name:
        assignee = directory.find_user(db, assignee_name)
        if assignee is not None:
            task.assignee_id = assignee.id
            task.candidates.append(TaskCandidate(kind="user", value=assignee.username))
    first_group = next((known[s] for s in slugs if s in known), None)
    if first_group is not None:
        task.organisation_id = first_group.organisation_id
    return task
