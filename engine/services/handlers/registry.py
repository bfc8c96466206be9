"""The service-task handlers diagrams may name, listed explicitly: a renamed handler module fails at import."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from engine.services.handlers import ServiceHandler, generate_pdf, http_call, send_email, set_variables
from engine.services.igov import beans, mail


def _registry(*handlers: ServiceHandler) -> Mapping[str, ServiceHandler]:
    found: dict[str, ServiceHandler] = {}
    for handler in handlers:
        if handler.name in found:
            raise RuntimeError(f"two service-task handlers are named {handler.name!r}")
        found[handler.name] = handler
    return MappingProxyType(found)


HANDLERS: Final = _registry(
    send_email.send_email,
    http_call.http_call,
    generate_pdf.generate_pdf,
    set_variables.set_variables,
    mail.igov_mail,
    beans.igov_bean,
)


def get_handler(name: str) -> ServiceHandler | None:
    return HANDLERS.get(name)


def handler_names() -> list[str]:
    return sorted(HANDLERS)
