"""The worker's periodic audit anchor: every POSLUHY_AUDIT_ANCHOR_HOURS, the chain head to a file and/or a mail.

One job per period whatever the number of workers (its dedupe key names the period); the job reads the head in its
own transaction, so the anchor names the newest event committed before it ran.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine.models import Job
from engine.services.admin.audit_anchors import current_anchor, mail_anchor, write_anchor
from engine.services.background.jobs import JobKind, enqueue_job
from engine.services.context import Platform


def schedule_audit_anchor(db: Session, platform: Platform) -> Job | None:
    """Queue this period's anchor job, once; nothing when no anchor file or address is set."""
    settings = platform.settings
    if not (settings.audit_anchor_file or settings.audit_anchor_mail) or settings.audit_anchor_hours <= 0:
        return None
    period = int(platform.clock.now().timestamp() // (settings.audit_anchor_hours * 3600))
    return enqueue_job(db, platform, kind=JobKind.AUDIT_ANCHOR, payload={}, dedupe_key=f"audit_anchor:{period}")


def audit_anchor_job(db: Session, platform: Platform, _job: Job) -> None:
    anchor = current_anchor(db, platform)
    if platform.settings.audit_anchor_mail:
        mail_anchor(db, platform, anchor, to=platform.settings.audit_anchor_mail)
    if platform.settings.audit_anchor_file:
        write_anchor(anchor, Path(platform.settings.audit_anchor_file))
