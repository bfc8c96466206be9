"""The plain-language timeline of an application, from its audit events."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest
from engine.models import Application
from engine.services.cases.views import HistoryItem
from engine.store import audit

VISIBLE_EVENTS = {
    "application.created",
    "application.submitted",
    "task.completed",
    "task.claimed",
    "application.completed",
    "application.error",
    "application.returned",
}


def history_of(db: Session, application: Application, manifest: ServiceManifest) -> list[HistoryItem]:
    items = []
    for event in audit.for_application(db, application.id):
        if event.action not in VISIBLE_EVENTS:
            continue
        details = json.loads(event.details_json or "{}")
        step = manifest.step(event.element_id) if event.element_id else None
        by = "applicant" if event.actor_id == application.applicant_id else ("official" if event.actor_id else "system")
        items.append(
            HistoryItem(
                at=event.at,
                event=event.action,
                step=event.element_id,
                title=step.name if step else (details.get("outcome_name") or ""),
                by=by,
                details={k: v for k, v in details.items() if k in ("outcome", "outcome_name", "for_applicant")},
            )
        )
    return items
