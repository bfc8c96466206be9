"""The worklist of human tasks. Queues are queries over this table, never workflow loads."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from engine.models import (
    Application,
    ApplicationStatus,
    Group,
    HumanTask,
    ServiceVersion,
    TaskCandidate,
    TaskStatus,
    User,
)
from engine.store import statements


def get(db: Session, task_id: str) -> HumanTask | None:
    return db.scalar(
        select(HumanTask)
        .where(HumanTask.id == task_id)
        .options(
            selectinload(HumanTask.candidates),
            joinedload(HumanTask.application)
            .joinedload(Application.service_version)
            .joinedload(ServiceVersion.service),
        )
    )


_WITH_APPLICATION = (
    select(HumanTask)
    .join(HumanTask.application)
    .where(HumanTask.id == bindparam("task_id"))
    .options(
        contains_eager(HumanTask.application).joinedload(Application.applicant),
        joinedload(HumanTask.candidates),
        joinedload(HumanTask.assignee),
    )
    .execution_options(populate_existing=True)
)
_WITH_APPLICATION_LOCKED = _WITH_APPLICATION.with_for_update(of=Application)


def get_with_application(db: Session, task_id: str, *, lock_application: bool = False) -> HumanTask | None:
    """A task with its application (and applicant), candidates and holder in one statement; `lock_application`
    takes the application's row lock (PostgreSQL; SQLite writers hold the database lock already) for a step."""
    statement = _WITH_APPLICATION_LOCKED if lock_application else _WITH_APPLICATION
    return db.scalars(statement, {"task_id": task_id}).unique().one_or_none()


def get_many(db: Session, task_ids: Collection[str]) -> list[HumanTask]:
    """Tasks by id with candidates and holders, oldest first."""
    return list(
        db.scalars(
            select(HumanTask)
            .where(HumanTask.id.in_(sorted(task_ids)))
            .options(selectinload(HumanTask.candidates), joinedload(HumanTask.assignee))
            .order_by(HumanTask.created_at)
        ).all()
    )


def open_for_application(db: Session, application_id: int) -> Sequence[HumanTask]:
    return db.scalars(
        select(HumanTask)
        .where(HumanTask.application_id == application_id, HumanTask.status == TaskStatus.OPEN.value)
        .options(selectinload(HumanTask.candidates))
        .order_by(HumanTask.created_at)
    ).all()


def queue(
    db: Session,
    *,
    group_slugs: Sequence[str],
    username: str,
    organisation_ids: Sequence[int] | None,
    overseen_organisation_ids: Sequence[int] = (),
    service_id: int | None = None,
    organisation_id: int | None = None,
    assignee_id: int | None = None,
    unassigned_only: bool = False,
    any_candidate: bool = False,
) -> Sequence[HumanTask]:
    """Open official tasks the person may take; `organisation_ids` None means every organisation and
    `any_candidate` every task whoever its candidates are (both for administrators); every task of the
    `overseen_organisation_ids` is offered too, whoever its candidates are (a regional office over its hromadas)."""
    candidate = (
        select(TaskCandidate.task_id)
        .where(
            or_(
                (TaskCandidate.kind == "group") & TaskCandidate.value.in_(list(group_slugs) or [""]),
                (TaskCandidate.kind == "user") & (TaskCandidate.value == username),
            )
        )
        .scalar_subquery()
    )
    query = (
        select(HumanTask)
        .join(HumanTask.application)
        .join(Application.service_version)
        .where(
            HumanTask.status == TaskStatus.OPEN.value,
            HumanTask.for_applicant.is_(False),
            Application.status == ApplicationStatus.ACTIVE.value,  # a case stopped by an error offers no task
        )
        .options(
            selectinload(HumanTask.candidates),
            joinedload(HumanTask.assignee),
            contains_eager(HumanTask.application),
        )
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
    )
    if assignee_id is not None:
        query = query.where(HumanTask.assignee_id == assignee_id)
    elif not any_candidate and overseen_organisation_ids:
        query = query.where(
            HumanTask.id.in_(candidate) | HumanTask.organisation_id.in_(list(overseen_organisation_ids))
        )
    elif not any_candidate:
        query = query.where(HumanTask.id.in_(candidate))
    if unassigned_only:
        query = query.where(HumanTask.assignee_id.is_(None))
    if organisation_ids is not None:
        seen = [*organisation_ids, *overseen_organisation_ids]
        query = query.where(HumanTask.organisation_id.in_(seen or [-1]))
    if service_id is not None:
        query = query.where(ServiceVersion.service_id == service_id)
    if organisation_id is not None:
        query = query.where(HumanTask.organisation_id == organisation_id)
    return db.scalars(query).unique().all()


_OPEN_TASK = (HumanTask.id == bindparam("task_id")) & (HumanTask.status == TaskStatus.OPEN.value)
_HELD_BY_NOBODY_OR = HumanTask.assignee_id.is_(None) | (HumanTask.assignee_id == bindparam("holder"))
_CLAIM = update(HumanTask).where(_OPEN_TASK, _HELD_BY_NOBODY_OR).values(assignee_id=bindparam("holder"))
_RELEASE_ANY = update(HumanTask).where(_OPEN_TASK).values(assignee_id=None)
_RELEASE_MINE = (
    update(HumanTask).where(_OPEN_TASK, HumanTask.assignee_id == bindparam("holder")).values(assignee_id=None)
)
_COMPLETED = {
    "status": TaskStatus.COMPLETED.value,
    "completed_at": bindparam("at"),
    "completed_by_id": bindparam("by_id"),
    "assignee_id": bindparam("assignee"),
}
_COMPLETE_ANY = update(HumanTask).where(_OPEN_TASK).values(**_COMPLETED)
_COMPLETE_IF_HELD_BY = update(HumanTask).where(_OPEN_TASK, _HELD_BY_NOBODY_OR).values(**_COMPLETED)


def claim(db: Session, task_id: str, user_id: int) -> bool:
    """Atomic: succeeds only while nobody else holds the task (one conditional UPDATE)."""
    return bool(statements.run(db, _CLAIM, {"task_id": task_id, "holder": user_id}).rowcount)


def release(db: Session, task_id: str, user_id: int | None) -> bool:
    """Give the task back to the queue; `user_id` None releases whoever holds it (administrators)."""
    statement, parameters = (
        (_RELEASE_ANY, {"task_id": task_id})
        if user_id is None
        else (_RELEASE_MINE, {"task_id": task_id, "holder": user_id})
    )
    return bool(statements.run(db, statement, parameters).rowcount)


_HAND_OVER = (
    update(HumanTask)
    .where(_OPEN_TASK, HumanTask.assignee_id == bindparam("holder"))
    .values(assignee_id=bindparam("to"))
)


def hand_over(db: Session, task_id: str, *, holder: int, to: int) -> bool:
    """Atomic: moves the task from `holder` to `to` only while `holder` still holds it."""
    return bool(statements.run(db, _HAND_OVER, {"task_id": task_id, "holder": holder, "to": to}).rowcount)


def members_of_groups(db: Session, group_slugs: Sequence[str]) -> list[User]:
    """The members of the groups (each once, by username), with their groups."""
    if not group_slugs:
        return []
    statement = (
        select(User)
        .join(User.groups)
        .where(Group.slug.in_(list(group_slugs)))
        .options(selectinload(User.groups))
        .order_by(User.username)
    )
    return list(db.scalars(statement).unique())


def supervised_organisation_ids(db: Session, user_id: int) -> list[int]:
    """The organisations where the person belongs to a supervisor group."""
    statement = (
        select(Group.organisation_id)
        .join(Group.members)
        .where(User.id == user_id, Group.is_supervisor.is_(True))
        .distinct()
    )
    return list(db.scalars(statement))


def open_and_overdue_per_group(
    db: Session, organisation_ids: Sequence[int], now: datetime
) -> list[tuple[str, str, int, int]]:
    """(group slug, group name, open tasks, overdue tasks) of each group of the organisations, by group name."""
    overdue = func.sum(case((HumanTask.due_at < now, 1), else_=0))
    statement = (
        select(Group.slug, Group.name, func.count(HumanTask.id), func.coalesce(overdue, 0))
        .select_from(Group)
        .outerjoin(TaskCandidate, (TaskCandidate.kind == "group") & (TaskCandidate.value == Group.slug))
        .outerjoin(
            HumanTask,
            (HumanTask.id == TaskCandidate.task_id)
            & (HumanTask.status == TaskStatus.OPEN.value)
            & HumanTask.for_applicant.is_(False),
        )
        .where(Group.organisation_id.in_(list(organisation_ids)), Group.is_supervisor.is_(False))
        .group_by(Group.slug, Group.name)
        .order_by(Group.name)
    )
    return [(slug, name, int(count), int(late)) for slug, name, count, late in db.execute(statement)]


_TASK_COLUMNS = (
    "id",
    "application_id",
    "element_id",
    "title",
    "is_start_form",
    "for_applicant",
    "organisation_id",
    "assignee_id",
    "status",
    "draft_json",
    "created_at",
    "due_at",
)


def insert_many(db: Session, new: Sequence[HumanTask]) -> None:
    """Write new worklist rows and their candidates: two statements however many (the objects stay transient
    views of what was written; the application row must exist already)."""
    if not new:
        return
    statements.run(
        db, statements.plain_insert(HumanTask), [{c: getattr(task, c) for c in _TASK_COLUMNS} for task in new]
    )
    candidates = [{"task_id": task.id, "kind": c.kind, "value": c.value} for task in new for c in task.candidates]
    if candidates:
        statements.run(db, statements.plain_insert(TaskCandidate), candidates)


def close(db: Session, task: HumanTask, *, status: TaskStatus, by_id: int | None, at: datetime) -> None:
    task.status = status.value
    task.completed_at = at
    task.completed_by_id = by_id
    db.flush()


def close_many(db: Session, task_ids: Collection[str], *, status: TaskStatus, at: datetime) -> None:
    """Close open rows by id in one statement (steps the engine no longer offers)."""
    if task_ids:
        db.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(sorted(task_ids)), HumanTask.status == TaskStatus.OPEN.value)
            .values(status=status.value, completed_at=at)
            .execution_options(synchronize_session="fetch")
        )


def complete_open(db: Session, task: HumanTask, *, by_id: int | None, at: datetime, holder_may_be: int | None) -> bool:
    """Mark an open task completed in one conditional statement; False when it was no longer open, or held by
    someone other than `holder_may_be` (None: whoever holds it)."""
    assignee = task.assignee_id if task.assignee_id is not None else by_id
    parameters = {"task_id": task.id, "at": at, "by_id": by_id, "assignee": assignee, "holder": holder_may_be}
    statement = _COMPLETE_ANY if holder_may_be is None else _COMPLETE_IF_HELD_BY
    if not statements.run(db, statement, parameters).rowcount:
        return False
    set_committed_value(task, "status", TaskStatus.COMPLETED.value)
    set_committed_value(task, "completed_at", at)
    set_committed_value(task, "completed_by_id", by_id)
    set_committed_value(task, "assignee_id", assignee)
    return True


def organisations_of_application(db: Session, application_id: int) -> set[int]:
    """Every organisation that has had a step of this application in its queue."""
    rows = db.scalars(
        select(HumanTask.organisation_id).where(
            HumanTask.application_id == application_id, HumanTask.organisation_id.is_not(None)
        )
    )
    return {r for r in rows if r is not None}


def open_for_applications(db: Session, application_ids: Sequence[int]) -> dict[int, list[HumanTask]]:
    """Open tasks of many applications at once, by application id (a list page)."""
    found: dict[int, list[HumanTask]] = {}
    if application_ids:
        rows = db.scalars(
            select(HumanTask)
            .where(HumanTask.application_id.in_(list(application_ids)), HumanTask.status == TaskStatus.OPEN.value)
            .options(selectinload(HumanTask.candidates), joinedload(HumanTask.assignee))
            .order_by(HumanTask.created_at)
        ).all()
        for task in rows:
            found.setdefault(task.application_id, []).append(task)
    return found


def completed_elements(db: Session, application_id: int) -> list[str]:
    """Element ids of the steps done in the application, each once, in the order they were first done."""
    rows = db.execute(
        select(HumanTask.element_id, func.min(HumanTask.completed_at))
        .where(HumanTask.application_id == application_id, HumanTask.status == TaskStatus.COMPLETED.value)
        .group_by(HumanTask.element_id)
        .order_by(func.min(HumanTask.completed_at))
    ).all()
    return [element_id for element_id, _first in rows]


def completed_for_application(db: Session, application_id: int) -> Sequence[HumanTask]:
    return db.scalars(
        select(HumanTask)
        .where(HumanTask.application_id == application_id, HumanTask.status == TaskStatus.COMPLETED.value)
        .order_by(HumanTask.completed_at)
    ).all()


def delete(db: Session, task: HumanTask) -> None:
    """Remove an open task row so it can be written again for another version of its diagram (migration)."""
    db.delete(task)
    db.flush()


def escalation_candidates(db: Session, now: datetime) -> Sequence[HumanTask]:
    """Open official tasks of active applications that are overdue or unclaimed (the only ones a rule can fire for)."""
    return (
        db.scalars(
            select(HumanTask)
            .join(HumanTask.application)
            .where(
                HumanTask.status == TaskStatus.OPEN.value,
                HumanTask.for_applicant.is_(False),
                Application.status == ApplicationStatus.ACTIVE.value,
                (HumanTask.due_at < now) | HumanTask.assignee_id.is_(None),
            )
            .options(joinedload(HumanTask.application).joinedload(Application.service_version))
            .order_by(HumanTask.created_at)
        )
        .unique()
        .all()
    )


def open_held_by(db: Session, user_id: int) -> Sequence[HumanTask]:
    """Open officials' tasks the person has claimed (whatever the state of their applications), oldest first."""
    return db.scalars(
        select(HumanTask)
        .where(
            HumanTask.assignee_id == user_id,
            HumanTask.status == TaskStatus.OPEN.value,
            HumanTask.for_applicant.is_(False),
        )
        .order_by(HumanTask.created_at)
    ).all()
