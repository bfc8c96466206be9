"""The queue's filters (service, organisation, step, due date, who holds it, reference) and, for supervisors, the
open and overdue counts of their organisations' groups.

Filters work on the official's own queue (already loaded, one query), so every offered choice finds something.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from engine.calendar import KYIV
from engine.db import session_now
from engine.services.cases.views import TaskView
from engine.services.context import Actor
from engine.store import tasks

DUE_CHOICES: Final = ("overdue", "today", "week", "none")
HOLDER_CHOICES: Final = ("unassigned", "mine", "colleagues")


@dataclass(frozen=True)
class QueueQuery:
    service: str = ""
    organisation: str = ""
    step: str = ""
    due: str = ""
    holder: str = ""
    reference: str = ""

    @classmethod
    def of(cls, args: Mapping[str, str]) -> QueueQuery:
        """From the address's parameters; unknown choices count as no filter."""
        due, holder = args.get("due", ""), args.get("holder", "")
        return cls(
            service=args.get("service", ""),
            organisation=args.get("organisation", ""),
            step=args.get("step", "")[:500],
            due=due if due in DUE_CHOICES else "",
            holder=holder if holder in HOLDER_CHOICES else "",
            reference=args.get("reference", "").strip()[:40],
        )

    def as_args(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


def _due_matches(task: TaskView, due: str, now: datetime) -> bool:
    if due == "none":
        return task.due_at is None
    if task.due_at is None:
        return False
    if due == "overdue":
        return task.overdue
    today = now.astimezone(KYIV).date()
    day = task.due_at.astimezone(KYIV).date()
    return day == today if due == "today" else today <= day < today + timedelta(days=7)


def apply(
    tasks_: Sequence[TaskView], query: QueueQuery, *, organisation_of: Mapping[str, str], actor: Actor, now: datetime
) -> list[TaskView]:
    """The tasks the query keeps; `organisation_of` maps a service id to its organisation's slug."""
    needle = query.reference.casefold()
    kept = []
    for task in tasks_:
        if query.service and task.service_id != query.service:
            continue
        if query.organisation and organisation_of.get(task.service_id, "") != query.organisation:
            continue
        if query.step and task.title != query.step:
            continue
        if query.due and not _due_matches(task, query.due, now):
            continue
        if query.holder == "unassigned" and task.assignee_id is not None:
            continue
        if query.holder == "mine" and task.assignee_id != actor.user_id:
            continue
        if query.holder == "colleagues" and task.assignee_id in (None, actor.user_id):
            continue
        if needle and needle not in task.reference.casefold():
            continue
        kept.append(task)
    return kept


def filtered(
    db: Session, actor: Actor, tasks_: Sequence[TaskView], query: QueueQuery, *, organisation_of: Mapping[str, str]
) -> list[TaskView]:
    """`apply` at the platform clock's now (what "due today" means)."""
    return apply(tasks_, query, organisation_of=organisation_of, actor=actor, now=session_now(db))


@dataclass(frozen=True)
class GroupLoad:
    """How much open work a group has, for its organisation's supervisors."""

    group_slug: str
    group_name: str
    open: int
    overdue: int


def group_loads(db: Session, actor: Actor) -> list[GroupLoad]:
    """Open and overdue official tasks per group of the organisations where the person is a supervisor (nothing
    for anyone else); one grouped query."""
    supervised = tasks.supervised_organisation_ids(db, actor.user_id) if actor.user_id is not None else []
    if not supervised:
        return []
    return [GroupLoad(*row) for row in tasks.open_and_overdue_per_group(db, supervised, session_now(db))]
