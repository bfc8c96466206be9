"""What the worker knows how to do, built from explicit imports: a renamed or missing handler fails at start-up.

`JOB_KINDS` maps every `JobKind` to its handlers (a test proves the two agree); `SCHEDULERS` are the steps that
queue due work on every worker round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from sqlalchemy.orm import Session

from engine.services.background import audit_anchors, escalations, service_tasks, timers
from engine.services.background.jobs import JobKind, JobKindHandlers
from engine.services.context import Platform
from engine.services.mail import events, outbox
from engine.services.statistics import aggregate

Scheduler = Callable[[Session, Platform], object]

JOB_KINDS: Final[dict[str, JobKindHandlers]] = {
    JobKind.SEND_EMAIL: JobKindHandlers(outbox.send_email_job, on_failure=outbox.send_failed),
    JobKind.FIRE_TIMERS: JobKindHandlers(timers.fire_timers_job),
    JobKind.SERVICE_TASK: JobKindHandlers(service_tasks.run_service_task, on_skip=service_tasks.skip_service_task),
    JobKind.ESCALATE: JobKindHandlers(escalations.escalate_job),
    JobKind.OFFICIAL_DIGEST: JobKindHandlers(events.official_digest_job),
    JobKind.AUDIT_ANCHOR: JobKindHandlers(audit_anchors.audit_anchor_job),
    JobKind.STATISTICS: JobKindHandlers(aggregate.statistics_job),
}
"""Job kind → handlers. Tests may add kinds of their own (monkeypatch.setitem), never replace built-in ones."""

SCHEDULERS: Final[tuple[Scheduler, ...]] = (
    timers.enqueue_due_timers,
    escalations.enqueue_due_escalations,
    events.notify_missed_deadlines,
    events.schedule_official_digest,
    audit_anchors.schedule_audit_anchor,
    aggregate.schedule_statistics,
)
"""Run by every worker round, each in its own transaction; each is idempotent (dedupe keys)."""
