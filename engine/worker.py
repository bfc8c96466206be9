"""The background worker: a separate process that schedules due work and runs queued jobs.

Any number of workers may run against one PostgreSQL database: jobs are leased row by row, and the scheduling
steps are idempotent (dedupe keys), so two workers never run the same work twice.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from engine.db import unit_of_work
from engine.services.background.jobs import new_worker_id
from engine.services.background.registry import SCHEDULERS
from engine.services.background.runner import run_due_jobs
from engine.services.context import Platform

log = logging.getLogger("posluhy.worker")

BATCH = 50


def schedule_due_work(platform: Platform) -> None:
    """Queue what has become due: fired timers, escalations, missed-deadline notices, the daily digest."""
    for scheduler in SCHEDULERS:
        try:
            with unit_of_work(platform.write_sessions) as db:
                scheduler(db, platform)
        except Exception:
            log.exception("scheduling with %s failed", getattr(scheduler, "__name__", scheduler))


def run_once(platform: Platform, *, worker_id: str | None = None) -> int:
    """Schedule, then run jobs until none is due; returns how many jobs were run."""
    worker_id = worker_id or new_worker_id()
    schedule_due_work(platform)
    total = 0
    while True:  # jobs may queue more jobs (a digest queues its e-mails): run until nothing is due
        ran = run_due_jobs(platform, worker_id=worker_id, limit=BATCH)
        total += ran
        if ran == 0:
            return total


def run_forever(platform: Platform, *, interval: float, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    worker_id = new_worker_id()
    log.info("worker %s started, polling every %.1f s", worker_id, interval)
    while not stop.is_set():
        try:
            run_once(platform, worker_id=worker_id)
        except Exception:
            log.exception("worker round failed")
        stop.wait(interval)
    log.info("worker %s stopped", worker_id)


def stop_on_signals(stop: threading.Event) -> None:
    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
