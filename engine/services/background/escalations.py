"""Escalation rules: a task N working days overdue, or unclaimed for N days, notifies the organisation's
supervisors by e-mail and/or moves the task to another group. Each (rule, task) fires once, audited.

The worker calls `enqueue_due_escalations`; each firing is a job (dedupe key per rule and task) whose handler
re-checks the condition under the application lock and records an `escalation_firing` row (unique per rule and
task) in the same transaction as the e-mails and the reassignment.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from engine.calendar import KYIV, WorkCalendar
from engine.models import (
    EscalationCondition,
    EscalationFiring,
    EscalationRule,
    HumanTask,
    Job,
    TaskCandidate,
    TaskStatus,
    User,
)
from engine.paths import DEMO_DIR
from engine.services.background.jobs import JobKind, enqueue_job
from engine.services.context import Platform
from engine.services.mail.outbox import queue_email
from engine.store import applications, audit, catalog, directory, tasks
from engine.store import calendar as calendar_store


def rule_applies(rule: EscalationRule, task: HumanTask, now: datetime, work_calendar: WorkCalendar) -> bool:
    """Whether the rule fires for this open official task at `now`."""
    if not rule.active or task.status != TaskStatus.OPEN.value or task.for_applicant:
        return False
    if rule.element_id and rule.element_id != task.element_id:
        return False
    if rule.service_id is not None and task.application.service_version.service_id != rule.service_id:
        return False
    if rule.condition == EscalationCondition.UNCLAIMED.value:
        return task.assignee_id is None and now - task.created_at >= timedelta(days=rule.days)
    if task.due_at is None or task.due_at >= now:
        return False
    return work_calendar.working_days_between(task.due_at, now) >= rule.days


def due_pairs(db: Session, now: datetime) -> list[tuple[EscalationRule, HumanTask]]:
    """Every (active rule, open task) that should fire now and has not fired before."""
    rules = calendar_store.list_rules(db, active_only=True)
    if not rules:
        return []
    fired = calendar_store.fired_pairs(db, [r.id for r in rules])
    work_calendar = calendar_store.load_calendar(db)
    pairs = []
    for task in tasks.escalation_candidates(db, now):
        for rule in rules:
            if (rule.id, task.id) not in fired and rule_applies(rule, task, now, work_calendar):
                pairs.append((rule, task))
    return pairs


def enqueue_due_escalations(db: Session, platform: Platform) -> int:
    """Queue one "escalate" job per firing (rule, task) pair; returns how many pairs were found."""
    pairs = due_pairs(db, platform.clock.now())
    for rule, task in pairs:
        enqueue_job(
            db,
            platform,
            kind=JobKind.ESCALATE,
            payload={"rule_id": rule.id, "task_id": task.id, "element_id": task.element_id},
            application_id=task.application_id,
            dedupe_key=f"escalation:{rule.id}:{task.id}",
        )
    return len(pairs)


def escalate_job(db: Session, platform: Platform, job: Job) -> None:
    payload = job.payload
    fire_rule(db, platform, int(payload["rule_id"]), str(payload["task_id"]))


def fire_rule(db: Session, platform: Platform, rule_id: int, task_id: str) -> EscalationFiring | None:
    """Fire one rule for one task if it still applies and never fired; None when nothing was done."""
    rule = calendar_store.get_rule(db, rule_id)
    task = tasks.get(db, task_id)
    if rule is None or task is None:
        return None
    applications.lock(db, task.application_id)
    db.refresh(task)
    now = platform.clock.now()
    if calendar_store.find_firing(db, rule.id, task.id) is not None:
        return None
    if not rule_applies(rule, task, now, calendar_store.load_calendar(db)):
        return None
    firing = EscalationFiring(rule_id=rule.id, task_id=task.id, application_id=task.application_id, fired_at=now)
    if rule.notify_supervisors:
        firing.notified = _notify_supervisors(db, platform, rule, task)
    if rule.reassign_group:
        firing.reassigned_to = _reassign(db, task, rule.reassign_group)
    calendar_store.add(db, firing)
    audit.record(
        db,
        action="escalation.fired",
        actor_id=None,
        actor="escalation",
        application_id=task.application_id,
        task_id=task.id,
        element_id=task.element_id,
        details={
            "rule": rule.id,
            "condition": rule.condition,
            "days": rule.days,
            "notified": firing.notified,
            "reassigned_to": firing.reassigned_to,
        },
    )
    return firing


def supervisors_of(db: Session, organisation_id: int | None) -> list[User]:
    if organisation_id is None:
        return []
    groups = directory.supervisor_groups(db, organisation_id)
    found: dict[int, User] = {}
    for group in groups:
        for user in group.members:
            if user.active and user.email:
                found.setdefault(user.id, user)
    return sorted(found.values(), key=lambda u: u.username)


def _notify_supervisors(db: Session, platform: Platform, rule: EscalationRule, task: HumanTask) -> int:
    application = task.application
    supervisors = supervisors_of(db, task.organisation_id or application.organisation_id)
    for user in supervisors:
        queue_email(
            db,
            platform,
            to=user.email,
            template="escalation",
            context={
                "name": user.full_name or user.username,
                "step_title": task.title,
                "condition": rule.condition,
                "days": rule.days,
                "due_at": task.due_at.astimezone(KYIV).strftime("%d.%m.%Y %H:%M") if task.due_at else "",
                "created_at": task.created_at.astimezone(KYIV).strftime("%d.%m.%Y %H:%M"),
                "task_link": f"{platform.settings.base_url.rstrip('/')}/staff/tasks/{task.id}",
            },
            locale=user.locale or platform.settings.default_locale,
            application_id=application.id,
            key=f"escalation.{rule.id}.{task.id}.{user.id}",
        )
    return len(supervisors)


def _reassign(db: Session, task: HumanTask, group_slug: str) -> str | None:
    """Hand the task to another group: its group candidates are replaced and nobody holds it any more."""
    group = directory.find_group(db, group_slug)
    if group is None:
        return None
    for candidate in [c for c in task.candidates if c.kind == "group"]:
        task.candidates.remove(candidate)
    task.candidates.append(TaskCandidate(kind="group", value=group.slug))
    task.assignee_id = None
    task.organisation_id = group.organisation_id
    db.flush()
    return group.slug


DEMO_RULES = DEMO_DIR / "escalation_rules.json"


def load_demo_rules(db: Session, path: Path = DEMO_RULES) -> list[str]:
    """Create the demo escalation rules whose service is deployed and that do not exist yet (only where the
    demo directory is loaded); returns the services they were created for."""
    if not any(user.is_demo for user in directory.list_users(db)):
        return []
    existing = {(r.service_id, r.element_id, r.condition) for r in calendar_store.list_rules(db)}
    created = []
    for spec in json.loads(path.read_text(encoding="utf-8"))["rules"]:
        service = catalog.find_service(db, spec["service"])
        if service is None or (service.id, spec.get("element_id"), spec["condition"]) in existing:
            continue
        rule = EscalationRule(
            service_id=service.id,
            element_id=spec.get("element_id"),
            condition=spec["condition"],
            days=int(spec["days"]),
            notify_supervisors=bool(spec.get("notify_supervisors", True)),
            reassign_group=spec.get("reassign_group"),
            active=True,
        )
        calendar_store.add(db, rule)
        audit.record(db, action="escalation_rule.created", actor_id=None, actor="demo", details={"rule": rule.id})
        created.append(str(spec["service"]))
    return created
