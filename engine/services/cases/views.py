"""Read models handed to pages and the API: plain data, no sessions, no lazy loading."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm.base import NO_VALUE

from engine.bpmn.manifest import ServiceManifest
from engine.forms import Form
from engine.models import HumanTask, ServiceVersion
from engine.services.summaries import ServiceSummary

_MANIFESTS: dict[tuple[int, str], ServiceManifest] = {}
_MANIFESTS_KEPT = 512


def manifest_of(version: ServiceVersion) -> ServiceManifest:
    """Parsed manifests are shared within a process by version id and content digest (a new manifest always comes
    with a new digest), so the cache never holds the manifest's JSON text; the oldest entry goes first."""
    key = (version.id, version.content_digest)
    found = _MANIFESTS.get(key)
    if found is None:
        found = ServiceManifest.from_dict(json.loads(version.manifest_json))
        while len(_MANIFESTS) >= _MANIFESTS_KEPT:
            _MANIFESTS.pop(next(iter(_MANIFESTS)), None)
        _MANIFESTS[key] = found
    return found


@dataclass(frozen=True)
class TaskView:
    id: str
    element_id: str
    title: str
    reference: str
    service_id: str
    service_title: str
    is_start: bool
    for_applicant: bool
    form: Form | None
    groups: tuple[str, ...]
    assignee: str | None
    assignee_id: int | None
    status: str
    created_at: datetime
    due_at: datetime | None
    draft: dict[str, Any] = field(default_factory=dict)
    overdue: bool = False
    """Open and past its due time when the view was made (by the platform's clock)."""


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    event: str
    step: str | None
    title: str
    by: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerSection:
    """The answers given at one completed step, in the step form's field order."""

    title: str
    form: Form
    values: dict[str, Any]


@dataclass(frozen=True)
class AttachmentView:
    id: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ApplicationView:
    reference: str
    service: ServiceSummary
    status: str
    outcome: str | None
    outcome_name: str | None
    created_at: datetime
    submitted_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    applicant: str
    organisation_name: str
    error_element: str | None
    error_message: str | None
    tasks: list[TaskView]
    open_steps: list[TaskView]
    history: list[HistoryItem] | None
    """One page of the timeline, oldest first; None in a light view (a write's answer, a list)."""
    data: dict[str, Any]
    answers: list[AnswerSection]
    attachments: list[AttachmentView]
    version: int
    has_open_incident: bool = False
    """Background work for it failed and an administrator has to act: citizens see "delayed, being handled"."""
    history_page: int = 1
    history_pages: int = 1
    history_total: int = 0

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


def task_view(
    task: HumanTask,
    manifest: ServiceManifest,
    *,
    now: datetime,
    locale: str = "uk",
    reference: str | None = None,
    known_people: Mapping[int, str] | None = None,
) -> TaskView:
    """`reference` (the application's) and `known_people` (user id → username) spare loading what the caller has."""
    step = manifest.step(task.element_id)
    return TaskView(
        id=task.id,
        element_id=task.element_id,
        title=task.title,
        reference=reference or task.application.reference,
        service_id=manifest.process_id,
        service_title=manifest.title_in(locale),
        is_start=task.is_start_form,
        for_applicant=task.for_applicant,
        form=step.form if step else None,
        groups=tuple(task.groups),
        assignee=_assignee_name(task, known_people or {}),
        assignee_id=task.assignee_id,
        status=task.status,
        created_at=task.created_at,
        due_at=task.due_at,
        draft=json.loads(task.draft_json or "{}"),
        overdue=task.due_at is not None and task.status == "open" and task.due_at < now,
    )


def _assignee_name(task: HumanTask, known_people: Mapping[int, str]) -> str | None:
    if task.assignee_id is None:
        return None
    holder = inspect(task).attrs.assignee.loaded_value
    if holder is NO_VALUE and task.assignee_id in known_people:
        return known_people[task.assignee_id]
    return task.assignee.username if task.assignee is not None else None
