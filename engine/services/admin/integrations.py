"""Other systems that deliver BPMN messages: registered with a token shown once; only its digest is stored."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.models import Integration
from engine.services.errors import ConflictError
from engine.store import audit, integrations

MESSAGE_NAME_HELP = "letters, digits and underscores, not starting with a digit"


@dataclass(frozen=True)
class CreatedIntegration:
    name: str
    token: str
    messages: tuple[str, ...]


def valid_message_name(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not name.startswith("_")


def create_integration(db: Session, *, name: str, messages: list[str]) -> CreatedIntegration:
    """Register a calling system; the token is returned once and only its digest is stored."""
    name = name.strip()
    names = tuple(dict.fromkeys(m.strip() for m in messages if m.strip()))
    if not name:
        raise ValueError("an integration needs a name")
    if not names:
        raise ValueError("name at least one message the integration may send")
    if bad := [m for m in names if not valid_message_name(m)]:
        raise ValueError(f"message names must be {MESSAGE_NAME_HELP}: {', '.join(bad)}")
    if integrations.find_by_name(db, name) is not None:
        raise ConflictError(f"an integration named {name!r} already exists")
    token = secrets.token_urlsafe(32)
    integrations.add(
        db, Integration(name=name, token_digest=_digest(token), allowed_messages_json=json.dumps(list(names)))
    )
    details = {"name": name, "messages": list(names)}
    audit.record(db, action="integration.created", actor_id=None, actor="system", details=details)
    return CreatedIntegration(name=name, token=token, messages=names)


def find_integration(db: Session, token: str) -> Integration | None:
    found = integrations.find_by_digest(db, _digest(token))
    return found if found is not None and found.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
