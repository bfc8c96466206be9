"""What a run of the engine means for the application: completed with an outcome, or failed with an incident."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from engine.models import ApplicationStatus
from engine.runtime.cases import StepResult

if TYPE_CHECKING:
    from engine.services.cases.step import OpenCase
from engine.services.background.incidents import incident_kind_of, open_incident


def record_result(
    db: Session,
    opened: OpenCase,
    result: StepResult,
    *,
    manifest_outcomes: dict[str, str],
    now: datetime,
) -> None:
    """Mark the application failed (with an incident) or completed after the engine ran."""
    application = opened.application
    if result.failed:
        message = result.error_message or "error"
        application.status = ApplicationStatus.ERROR.value
        application.error_element = result.error_element
        application.error_message = message
        opened.record(
            db,
            action="application.error",
            actor_id=None,
            actor="engine",
            element_id=result.error_element,
            details={"message": message},
        )
        open_incident(
            db,
            application=application,
            element_id=result.error_element,
            message=message,
            stack="",
            kind=incident_kind_of(message),
        )
        return
    if result.completed:
        application.status = ApplicationStatus.COMPLETED.value
        application.outcome = result.end_event
        application.outcome_name = manifest_outcomes.get(result.end_event or "", result.end_event)
        application.closed_at = now
        opened.record(
            db,
            action="application.completed",
            actor_id=None,
            actor="engine",
            element_id=result.end_event,
            details={"outcome": result.end_event, "outcome_name": application.outcome_name},
        )
