"""Move running applications from one published version of a service to another, with a dry run first.

Each application is tried in memory first (the same engine move the batch does), so the dry run's
"can move" is the batch's. The batch is one transaction and each application moves inside a savepoint:
it moves completely (state, version, worklist, audit) or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest
from engine.models import Application, HumanTask, ServiceVersion
from engine.runtime.cases import Case, StepResult
from engine.runtime.migration import CaseMove, move_case
from engine.services.cases.step import OpenCase, save_case
from engine.services.cases.views import manifest_of
from engine.services.context import Actor, Platform
from engine.services.errors import ConflictError, ForbiddenError, NotFoundError
from engine.services.studio.migration_needs import unmet_needs
from engine.store import applications, audit, catalog, tasks

STUDIO_ROLES = ("analyst", "admin")


class MigrationTargetError(ConflictError):
    """The versions cannot be migrated between: the same version, or a target that is not published."""


@dataclass(frozen=True)
class MigrationItem:
    reference: str
    status: str
    current_steps: list[str]
    can_move: bool
    reasons: list[str]


@dataclass(frozen=True)
class MigrationPlan:
    service_id: str
    from_number: int
    to_number: int
    items: list[MigrationItem]

    @property
    def movable(self) -> list[str]:
        return [item.reference for item in self.items if item.can_move]


@dataclass(frozen=True)
class MigrationReport:
    moved: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Versions:
    source: ServiceVersion
    target: ServiceVersion
    source_spec: str
    target_spec: str
    target_manifest: ServiceManifest


def plan_migration(
    db: Session, platform: Platform, actor: Actor, service_id: str, from_number: int, to_number: int
) -> MigrationPlan:
    """The dry run: every running application of `from_number`, whether it can move and why not."""
    versions = _versions(db, actor, service_id, from_number, to_number)
    items = [
        _assess(platform, versions, application)[0]
        for application in applications.running_for_version(db, versions.source.id)
    ]
    return MigrationPlan(service_id, from_number, to_number, items)


def migrate_applications(
    db: Session,
    platform: Platform,
    actor: Actor,
    service_id: str,
    from_number: int,
    to_number: int,
    *,
    references: list[str] | None = None,
) -> MigrationReport:
    """Move the applications that can move (all, or those in `references`); the rest are reported as skipped."""
    versions = _versions(db, actor, service_id, from_number, to_number)
    running = {a.reference: a for a in applications.running_for_version(db, versions.source.id)}
    wanted = list(running) if references is None else list(dict.fromkeys(references))
    report = MigrationReport()
    for reference in wanted:
        if reference not in running:
            report.skipped[reference] = [f"not a running application of version {from_number}"]
            continue
        application = applications.lock(db, running[reference].id)
        item, move = _assess(platform, versions, application)
        if not item.can_move or move is None or move.case is None:
            report.skipped[reference] = item.reasons
            continue
        try:
            with db.begin_nested():
                _apply(db, platform, actor, versions, application, move)
        except Exception as exc:  # the savepoint is rolled back: this application keeps its old version
            db.expire_all()
            report.skipped[reference] = [f"moving failed: {type(exc).__name__}: {exc}"]
            continue
        report.moved.append(reference)
    audit.record(
        db,
        action="studio.migration",
        actor_id=actor.user_id,
        actor=actor.username,
        element_id=service_id,
        details={"from": from_number, "to": to_number, "moved": report.moved, "skipped": report.skipped},
    )
    return report


def _versions(db: Session, actor: Actor, service_id: str, from_number: int, to_number: int) -> _Versions:
    if actor.role not in STUDIO_ROLES:
        raise ForbiddenError("only analysts and administrators migrate applications")
    service = catalog.find_service(db, service_id)
    if service is None:
        raise NotFoundError(service_id)
    by_number = {v.number: v for v in service.versions}
    source, target = by_number.get(from_number), by_number.get(to_number)
    if source is None or target is None:
        raise NotFoundError(f"{service_id} version {from_number if source is None else to_number}")
    if from_number == to_number:
        raise MigrationTargetError("choose two different versions")
    if target.status != "published" or target.spec_digest is None:
        raise MigrationTargetError(f"version {to_number} is not published")
    if source.spec_digest is None:
        raise MigrationTargetError(f"version {from_number} has never run")
    return _Versions(
        source=source,
        target=target,
        source_spec=catalog.get_spec_json(db, source.spec_digest),
        target_spec=catalog.get_spec_json(db, target.spec_digest),
        target_manifest=manifest_of(target),
    )


def _assess(platform: Platform, versions: _Versions, application: Application) -> tuple[MigrationItem, CaseMove | None]:
    case = Case.load(versions.source_spec, application.state_json, platform.script_engine)
    steps = [step.element_id for step in case.open_steps()]
    if application.status != "active":
        where = f" at {application.error_element}" if application.error_element else ""
        reasons = [f"the application stopped with an error{where}; fix it before moving it"]
        return MigrationItem(application.reference, application.status, steps, False, reasons), None
    target = f"version {versions.target.number}"
    move = move_case(case, versions.target_spec, platform.script_engine, target=target)
    reasons = list(move.reasons)
    if move.case is not None and not reasons:
        reasons = unmet_needs(
            versions.target.bpmn_xml, versions.target_manifest, move.elements.values(), move.case.current_data()
        )
    item = MigrationItem(application.reference, application.status, steps, not reasons, reasons)
    return item, move


@dataclass(frozen=True)
class _KeptTask:
    element_id: str
    assignee_id: int | None
    draft_json: str
    created_at: datetime
    due_at: datetime | None


def _apply(
    db: Session, platform: Platform, actor: Actor, versions: _Versions, application: Application, move: CaseMove
) -> None:
    assert move.case is not None
    kept: dict[str, _KeptTask] = {}
    for task in tasks.open_for_application(db, application.id):
        new_id = move.task_ids.get(task.id)
        if new_id is None:
            continue
        kept[new_id] = _KeptTask(task.element_id, task.assignee_id, task.draft_json, task.created_at, task.due_at)
        if new_id == task.id:
            tasks.delete(db, task)  # written again below, with the new version's title and candidates
    application.service_version_id = versions.target.id
    application.service_version = versions.target
    target = platform.caches.version(db, versions.target.id)
    save_case(db, platform, OpenCase(application, move.case, target), StepResult(completed=False))
    for task in tasks.open_for_application(db, application.id):
        if task.id in kept:
            _restore(task, kept[task.id])
    db.flush()
    audit.record(
        db,
        action="application.migrated",
        actor_id=actor.user_id,
        actor=actor.username,
        application_id=application.id,
        details={"from": versions.source.number, "to": versions.target.number, "steps": move.elements},
    )


def _restore(task: HumanTask, old: _KeptTask) -> None:
    """Same element: the person who held it keeps it, with their unsent answers and the original deadline."""
    if task.element_id != old.element_id:
        return
    if old.assignee_id is not None:
        task.assignee_id = old.assignee_id
    task.draft_json = old.draft_json
    task.created_at = old.created_at
    task.due_at = old.due_at
