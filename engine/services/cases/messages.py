"""BPMN messages from other systems (a payment provider, a registry), each authenticated by its integration token.

`deliver_message` runs its own transactions rather than the caller's: a refused message is audited and that
audit record is committed even though the caller answers with an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.models import Application, ApplicationStatus, Integration
from engine.references import normalise_reference
from engine.runtime.messages import MessageNotAwaitedError as _NotAwaitedInCase
from engine.runtime.messages import deliver_message as deliver_to_case
from engine.runtime.messages import waiting_messages
from engine.services.admin.integrations import find_integration
from engine.services.cases.step import open_case, save_case
from engine.services.context import Platform
from engine.services.errors import ConflictError, ForbiddenError, NotFoundError
from engine.store import applications, audit


class InvalidIntegrationTokenError(Exception):
    """No active integration has this token."""


class MessageNotAllowedError(ForbiddenError):
    """The integration may not send messages of this name."""


class MessageRefusedError(ConflictError):
    """Nobody waits for the message (or the application is closed); `reason` says which, for the caller."""

    NOT_WAITING = "not_waiting"
    CLOSED = "closed"

    def __init__(self, reason: str, *, kind: str, reference: str, waiting: list[str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.reference = reference
        self.waiting = waiting or []


@dataclass(frozen=True)
class MessageReceipt:
    reference: str
    message: str
    status: str
    outcome: str | None


def deliver_message(
    platform: Platform, *, token: str, reference: str, name: str, payload: dict[str, Any]
) -> MessageReceipt:
    """Deliver `payload` as the BPMN message `name` to the application; it is stored as process data `name`.

    Raises InvalidIntegrationTokenError, MessageNotAllowedError (audited), NotFoundError, or
    MessageRefusedError (audited) when the application waits for no such message.
    """
    with unit_of_work(platform.write_sessions) as db:
        outcome = _deliver(db, platform, token=token, reference=reference, name=name, payload=payload)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _deliver(
    db: Session, platform: Platform, *, token: str, reference: str, name: str, payload: dict[str, Any]
) -> MessageReceipt | Exception:
    integration = find_integration(db, token)
    if integration is None:
        raise InvalidIntegrationTokenError
    now = platform.clock.now()
    integration.last_used_at = now
    if not integration.allows(name):
        _refused(db, integration, None, name, f"message {name!r} is not allowed for this integration")
        return MessageNotAllowedError(name)
    normalised = normalise_reference(reference)
    found = applications.find_by_reference(db, normalised) if normalised else None
    if found is None:
        raise NotFoundError(reference)
    opened = open_case(db, platform, found.id)
    application = opened.application
    if application.status != ApplicationStatus.ACTIVE.value:
        reason = f"application {application.reference} is {application.status}"
        _refused(db, integration, application, name, reason)
        return MessageRefusedError(reason, kind=MessageRefusedError.CLOSED, reference=application.reference)
    waiting = waiting_messages(opened.case)
    try:
        result = deliver_to_case(opened.case, name, payload)
    except _NotAwaitedInCase:
        reason = f"application {application.reference} is not waiting for message {name!r}"
        _refused(db, integration, application, name, reason, waiting=waiting)
        return MessageRefusedError(
            reason, kind=MessageRefusedError.NOT_WAITING, reference=application.reference, waiting=waiting
        )
    audit.record(
        db,
        action="message.received",
        actor_id=None,
        actor=f"integration:{integration.name}",
        application_id=application.id,
        details={"message": name, "integration": integration.name, "fields": sorted(payload)},
    )
    save_case(db, platform, opened, result)  # also queues the service tasks reached next
    return MessageReceipt(
        reference=application.reference, message=name, status=application.status, outcome=application.outcome
    )


def _refused(
    db: Session,
    integration: Integration,
    application: Application | None,
    name: str,
    reason: str,
    *,
    waiting: list[str] | None = None,
) -> None:
    audit.record(
        db,
        action="message.refused",
        actor_id=None,
        actor=f"integration:{integration.name}",
        application_id=application.id if application else None,
        details={"message": name, "integration": integration.name, "reason": reason, "waiting": waiting or []},
    )
