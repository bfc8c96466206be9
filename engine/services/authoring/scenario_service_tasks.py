"""Service tasks in scenario runs: run inline, in the scenario's own session, by the same job handler the worker uses.

A demo or test scenario runs in one transaction, without a worker: after each step, every service-task job the step
queued for the application is run at once (`engine.services.background.service_tasks.run_service_task`), and so
on for the service tasks those reach. Mail goes to the outbox as in production; the worker delivers it later.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from engine.models import JobStatus
from engine.services.background.jobs import JobError, JobKind
from engine.services.background.service_tasks import run_service_task
from engine.services.context import Platform
from engine.store import applications
from engine.store import jobs as job_store

MAX_INLINE_ROUNDS: Final = 50


def run_parked_service_tasks(db: Session, platform: Platform, reference: str) -> str | None:
    """Run the application's queued service-task jobs until none is left; the failure message, or None."""
    application = applications.find_by_reference(db, reference)
    if application is None:
        return None
    for _ in range(MAX_INLINE_ROUNDS):
        jobs = job_store.queued_for_application(db, application.id, kind=JobKind.SERVICE_TASK)
        if not jobs:
            return None
        for job in jobs:
            try:
                run_service_task(db, platform, job)
            except JobError as exc:
                return f"service task {job.payload.get('element_id', '?')} failed: {exc}"
            job.status = JobStatus.DONE.value
    return f"service tasks kept running after {MAX_INLINE_ROUNDS} rounds"
