"""Which e-mails a change sends: citizens hear when their application moves, officials get a daily digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.calendar import KYIV
from engine.models import Application, ApplicationStatus, HumanTask, Job
from engine.services.background.jobs import JobKind, enqueue_job
from engine.services.context import Actor, Platform
from engine.services.mail.outbox import message_id_for, queue_email, status_url
from engine.services.ratings import rating_links
from engine.store import outbox, tasks

DIGEST_HOUR = time(8, 0)
"""Officials' digest goes out once a day after this Kyiv time."""


def notify_after_step(
    db: Session,
    platform: Platform,
    application: Application,
    *,
    completed_task: HumanTask | None,
    new_tasks: Sequence[HumanTask],
) -> None:
    """Queue the citizen's e-mails for what this step changed; each event is mailed once, however often it runs."""
    mails = _mails_after_step(application, completed_task, new_tasks)
    applicant = application.applicant if mails else None
    if applicant is None or not applicant.email:
        return
    for template, key, values in mails:
        # the decision offers the citizen to rate the service (engine.services.ratings)
        context = {**values, **rating_links(platform, application)} if template == "decided" else values
        queue_email(
            db,
            platform,
            to=applicant.email,
            template=template,
            context=context,
            locale=applicant.locale or platform.settings.default_locale,
            application_id=application.id,
            key=key,
        )


def _mails_after_step(
    application: Application, completed_task: HumanTask | None, new_tasks: Sequence[HumanTask]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(template, key, context) of each e-mail the step calls for."""
    mails: list[tuple[str, str, dict[str, Any]]] = []
    if completed_task is not None and completed_task.is_start_form:
        mails.append(("received", f"received.{application.reference}", {}))
    if application.status == ApplicationStatus.COMPLETED.value:
        outcome = {"outcome_name": application.outcome_name or ""}
        return [*mails, ("decided", f"decided.{application.reference}", outcome)]
    if completed_task is not None and completed_task.for_applicant:
        return mails
    mails += [
        ("corrections", f"corrections.{task.id}", {"step_title": task.title})
        for task in new_tasks
        if task.for_applicant and not task.is_start_form
    ]
    return mails


def notify_missed_deadlines(db: Session, platform: Platform) -> int:
    """Tell citizens once per step that an official step passed its deadline; returns how many were queued."""
    overdue = outbox.overdue_official_tasks(db, platform.clock.now())
    keys = {task.id: f"deadline.{task.id}" for task in overdue}
    sent = outbox.existing_message_ids(db, (message_id_for(platform, k) for k in keys.values()))
    queued = 0
    for task in overdue:
        application = task.application
        if application.status != ApplicationStatus.ACTIVE.value or not application.applicant.email:
            continue
        if message_id_for(platform, keys[task.id]) in sent:
            continue
        queue_email(
            db,
            platform,
            to=application.applicant.email,
            template="deadline_missed",
            context={"step_title": task.title, "due_at": _kyiv(task.due_at)},
            locale=application.applicant.locale or platform.settings.default_locale,
            application_id=application.id,
            key=keys[task.id],
        )
        queued += 1
    return queued


def schedule_official_digest(db: Session, platform: Platform) -> Job | None:
    """Queue today's digest job once the digest hour has passed in Kyiv (once per day, whatever the workers)."""
    local = platform.clock.now().astimezone(KYIV)
    if local.time() < DIGEST_HOUR:
        return None
    day = local.date().isoformat()
    return enqueue_job(
        db, platform, kind=JobKind.OFFICIAL_DIGEST, payload={"date": day}, dedupe_key=f"official_digest:{day}"
    )


def official_digest_job(db: Session, platform: Platform, job: Job) -> None:
    now = platform.clock.now()
    since = now - timedelta(days=1)
    day = str(job.payload.get("date") or now.astimezone(KYIV).date().isoformat())
    for user in outbox.active_staff(db):
        actor = Actor.of(user)
        queue = tasks.queue(db, group_slugs=sorted(actor.group_slugs), username=actor.username, organisation_ids=None)
        new = [_row(platform, t) for t in queue if t.created_at >= since]
        overdue = [_row(platform, t) for t in queue if t.due_at is not None and t.due_at < now]
        if not new and not overdue:
            continue
        queue_email(
            db,
            platform,
            to=user.email,
            template="official_digest",
            context={"name": user.full_name or user.username, "new": new, "overdue": overdue, "day": day},
            locale=user.locale or platform.settings.default_locale,
            key=f"digest.{day}.{user.id}",
        )


def _row(platform: Platform, task: HumanTask) -> dict[str, str]:
    reference = task.application.reference
    return {
        "reference": reference,
        "title": task.title,
        "due_at": _kyiv(task.due_at),
        "link": f"{platform.settings.base_url.rstrip('/')}/staff/tasks/{task.id}",
        "status_url": status_url(platform, reference),
    }


def _kyiv(moment: datetime | None) -> str:
    return moment.astimezone(KYIV).strftime("%d.%m.%Y %H:%M") if moment else ""
