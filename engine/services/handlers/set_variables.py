"""`set_variables`: every input parameter becomes a process variable of the same name."""

from __future__ import annotations

from typing import Any

from engine.services.handlers import HandlerContext, service_handler


@service_handler("set_variables", merge=True, any_params=True)
def set_variables(_ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    return dict(params)
