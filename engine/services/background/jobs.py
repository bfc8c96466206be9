"""The job queue: kinds of background work, queueing with a dedupe key, retry delays, and the errors handlers raise.

Queueing never imports what runs a job (`engine.services.background.runner` and its registry do), so any use case
may queue work without an import cycle.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from engine.models import Job
from engine.services.context import Actor, Platform
from engine.store import jobs as job_store


class JobKind(StrEnum):
    """Every kind of job the platform queues; each has exactly one entry in the runner's registry."""

    SEND_EMAIL = "send_email"
    FIRE_TIMERS = "fire_timers"
    SERVICE_TASK = "service_task"
    ESCALATE = "escalate"
    OFFICIAL_DIGEST = "official_digest"
    AUDIT_ANCHOR = "audit_anchor"
    STATISTICS = "statistics"


JobHandler = Callable[[Session, Platform, Job], None]
FailureHook = Callable[[Session, Platform, Job, str, bool], None]
"""Called in the failure transaction with (db, platform, job, error message, final)."""
SkipHook = Callable[[Session, Platform, Job, Actor, str], None]
"""Called when an administrator skips the job's incident: do the job's effect without its work."""


@dataclass(frozen=True)
class JobKindHandlers:
    """What runs a job of one kind, and what happens when it fails for good or its incident is skipped."""

    run: JobHandler
    on_failure: FailureHook | None = None
    on_skip: SkipHook | None = None


BACKOFF_BASE = timedelta(seconds=30)
DEFAULT_LEASE = timedelta(minutes=5)


class JobError(Exception):
    """A failure a handler reports on purpose; `incident_kind` and `element_id` go to the incident."""

    incident_kind = "job"

    def __init__(self, message: str, *, element_id: str | None = None, incident_kind: str | None = None) -> None:
        super().__init__(message)
        self.element_id = element_id
        if incident_kind is not None:
            self.incident_kind = incident_kind


class PermanentJobError(JobError):
    """Retrying will not help: the job fails at once and becomes an incident."""


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed tries: 30 s, 60 s, 120 s, … (no jitter)."""
    factor: int = 2 ** max(attempts - 1, 0)
    return BACKOFF_BASE * factor


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def enqueue_job(
    db: Session,
    platform: Platform,
    *,
    kind: JobKind,
    payload: dict[str, Any],
    application_id: int | None = None,
    dedupe_key: str | None = None,
    delay: timedelta = timedelta(0),
    max_attempts: int = 5,
    fetch: bool = True,
) -> Job | None:
    """Queue a job due `delay` from the platform clock's now; with `fetch=False` (a step that only needs the job
    to exist) nothing is read back and None is returned."""
    return job_store.enqueue(
        db,
        kind=str(kind),
        payload=payload,
        run_at=platform.clock.now() + delay,
        application_id=application_id,
        dedupe_key=dedupe_key,
        max_attempts=max_attempts,
        fetch=fetch,
    )
