"""The analyst studio: drafts, forms, diffs, test runs and migration of running applications."""

from __future__ import annotations

from engine.services.context import Actor
from engine.services.errors import ForbiddenError

STUDIO_ROLES = ("analyst", "admin")


def require_analyst(actor: Actor) -> None:
    """Only analysts and admins use the studio."""
    if actor.user_id is None or actor.role not in STUDIO_ROLES:
        raise ForbiddenError("the studio is for analysts")
