"""Keep the worklist table equal to the case's open human steps, in the same transaction as the state.

Also stores the case's next timer due time (`application.next_timer_at`) for the timer worker, and gives every
new human task its due date (`engine.services.cases.deadlines`), counted with the calendar as configured now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest, StepInfo
from engine.calendar import WorkCalendar
from engine.models import Application, HumanTask, TaskCandidate, TaskStatus
from engine.runtime.cases import Case
from engine.services.cases.deadlines import due_or_none
from engine.services.igov.assignment import igov_people
from engine.store import calendar as calendar_store
from engine.store import directory, tasks


def sync_worklist(db: Session, application: Application, case: Case, manifest: ServiceManifest, now: datetime) -> None:
    open_steps = {step.task_id: step for step in case.open_steps()}
    existing = {task.id: task for task in tasks.open_for_application(db, application.id)}
    for task_id, task in existing.items():
        if task_id not in open_steps:
            tasks.close(db, task, status=TaskStatus.CANCELLED, by_id=None, at=now)
    work_calendar: WorkCalendar | None = None
    for task_id, step in open_steps.items():
        if task_id in existing:
            continue
        info = manifest.step(step.element_id) or StepInfo(step.element_id, step.element_id, step.is_start, None)
        task = _new_task(db, application, task_id, info, now, case)
        if not info.for_applicant and (info.due_date or manifest.sla_days):
            work_calendar = work_calendar or calendar_store.load_calendar(db)
            task.due_at = _due(case, task_id, info, manifest, now, work_calendar)
        tasks.add(db, task)
    application.next_timer_at = case.next_timer_at()


def _due(
    case: Case, task_id: str, info: StepInfo, manifest: ServiceManifest, now: datetime, work_calendar: WorkCalendar
) -> datetime | None:
    if info.due_date:

        def evaluate(expression: str) -> Any:
            environment = case.workflow.script_engine.environment
            return environment.evaluate(expression, case.data_at(task_id))

        due = due_or_none(info.due_date, now=now, calendar=work_calendar, evaluate=evaluate)
        if due is not None:
            return due
    return work_calendar.add_working_days(now, manifest.sla_days) if manifest.sla_days else None


def _new_task(
    db: Session, application: Application, task_id: str, info: StepInfo, now: datetime, case: Case
) -> HumanTask:
    task = HumanTask(
        id=task_id,
        application_id=application.id,
        element_id=info.element_id,
        title=info.name,
        is_start_form=info.is_start,
        for_applicant=info.for_applicant,
        organisation_id=application.organisation_id,
        created_at=now,
    )
    if info.for_applicant:
        task.candidates.append(TaskCandidate(kind="user", value=application.applicant.username))
        task.assignee_id = application.applicant_id
        return task
    slugs, assignee_name = list(info.groups), info.assignee
    if info.igov:  # iGov group names, computed from the case's data and mapped to our groups
        slugs, computed = igov_people(db, application, case, task_id, info)
        assignee_name = assignee_name or computed
    groups = directory.groups_by_slug(db, slugs)
    for slug in slugs:
        task.candidates.append(TaskCandidate(kind="group", value=slug))
    for username in info.candidate_users:
        task.candidates.append(TaskCandidate(kind="user", value=username))
    if assignee_name:
        assignee = directory.find_user(db, assignee_name)
        if assignee is not None:
            task.assignee_id = assignee.id
            task.candidates.append(TaskCandidate(kind="user", value=assignee.username))
    first_group = next((groups[s] for s in slugs if s in groups), None)
    if first_group is not None:
        task.organisation_id = first_group.organisation_id
    return task
