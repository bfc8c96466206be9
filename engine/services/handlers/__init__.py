"""Service-task handlers: one Python function per handler, registered by name; a diagram names it as its topic.

    @service_handler("my_handler", required=("url",), optional=("timeout",))
    def my_handler(ctx: HandlerContext, params: dict[str, Any]) -> Any: ...

and listed in `engine.services.handlers.registry`.
A handler runs inside the worker's job transaction, with the application row locked. Whatever it returns is
stored in the task's `camunda:resultVariable` (if set); a handler registered with `merge=True` returns a dict
of variables set directly in the process data. Raise `HandlerError` for failures retrying cannot fix (bad
parameters); any other exception is retried with back-off and becomes an incident after the last try.
Handlers must be idempotent: a job may run again after a worker crash (use `ctx.key` for anything unique).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.models import Application
from engine.services.context import Platform


class HandlerError(Exception):
    """A failure that retrying will not fix (wrong parameters, missing template); becomes an incident at once."""


@dataclass(frozen=True)
class HandlerContext:
    db: Session
    platform: Platform
    application: Application
    element_id: str
    task_id: str
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Unique per service task instance: stable across re-runs of the same job."""
        return f"service:{self.application.id}:{self.task_id}"


HandlerFunction = Callable[[HandlerContext, dict[str, Any]], Any]


@dataclass(frozen=True)
class ServiceHandler:
    name: str
    function: HandlerFunction
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    merge: bool = False
    """True: the result is a dict of variables set in the process data (set_variables)."""
    any_params: bool = False
    """True: any parameter name is accepted (set_variables)."""
    check_literal: Callable[[str, Any], str | None] | None = None
    """Optional deploy-time check of a literal parameter value: (name, value) -> problem or None."""

    def unknown_params(self, names: list[str]) -> list[str]:
        if self.any_params:
            return []
        known = set(self.required) | set(self.optional)
        return [n for n in names if n not in known]

    def missing_params(self, names: list[str]) -> list[str]:
        return [n for n in self.required if n not in names]


def service_handler(
    name: str,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    merge: bool = False,
    any_params: bool = False,
    check_literal: Callable[[str, Any], str | None] | None = None,
) -> Callable[[HandlerFunction], ServiceHandler]:
    """Describe a handler function; it is offered to diagrams once `engine.services.handlers.registry` lists it."""

    def describe(function: HandlerFunction) -> ServiceHandler:
        return ServiceHandler(name, function, required, optional, merge, any_params, check_literal)

    return describe
