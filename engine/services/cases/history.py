"""The plain-language timeline of an application, from its audit events, a page at a time (newest first).

A case that loops a thousand times has thousands of events; pages and the API show one page and say how many
there are, so the cost of showing a case stays flat however long it ran.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest
from engine.models import Application, AuditEvent
from engine.services.cases.views import HistoryItem
from engine.store import audit

VISIBLE_EVENTS = (
    "application.created",
    "application.submitted",
    "task.completed",
    "task.claimed",
    "task.handed_over",
    "application.completed",
    "application.error",
    "application.returned",
)
PUBLIC_EVENTS = tuple(e for e in VISIBLE_EVENTS if e not in ("task.claimed", "task.handed_over"))
"""What the citizen's history shows: not who inside the office took or handed on a step (nor the notes)."""
PER_PAGE = 50
_SHOWN = ("outcome", "outcome_name", "for_applicant")
_SHOWN_DETAILS = {"task.handed_over": ("to", "note")}  # staff only: not in PUBLIC_EVENTS


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryItem]
    """Oldest first within the page."""
    page: int
    pages: int
    total: int


def history_of(
    db: Session,
    application: Application,
    manifest: ServiceManifest,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    events: tuple[str, ...] = VISIBLE_EVENTS,
) -> HistoryPage:
    """Page 1 holds the newest `per_page` events; a page past the last is empty."""
    total = audit.count_for_application(db, application.id, actions=events)
    pages = max(1, -(-total // per_page))
    page = max(1, page)
    rows = audit.page_for_application(db, application.id, actions=events, offset=(page - 1) * per_page, limit=per_page)
    items = [_item(application, manifest, event) for event in reversed(rows)]
    return HistoryPage(items=items, page=page, pages=pages, total=total)


def _item(application: Application, manifest: ServiceManifest, event: AuditEvent) -> HistoryItem:
    details = json.loads(event.details_json or "{}")
    step = manifest.step(event.element_id) if event.element_id else None
    by = "applicant" if event.actor_id == application.applicant_id else ("official" if event.actor_id else "system")
    return HistoryItem(
        at=event.at,
        event=event.action,
        step=event.element_id,
        title=step.name if step else (details.get("outcome_name") or ""),
        by=by,
        details={k: v for k, v in details.items() if k in _SHOWN_DETAILS.get(event.action, _SHOWN)},
    )
