"""`send_email`: a templated e-mail through the outbox (delivered by the worker, never twice)."""

from __future__ import annotations

from typing import Any

from engine.services.handlers import HandlerContext, HandlerError, service_handler
from engine.services.mail.outbox import LOCALES, TEMPLATES_DIR, queue_email


def mail_template_problem(name: str, value: Any) -> str | None:
    if name != "template":
        return None
    if not isinstance(value, str) or not value or "/" in value or value.startswith("."):
        return f"template must be the name of a mail template, not {value!r}"
    if not (TEMPLATES_DIR / f"{value}.{LOCALES[0]}.txt").is_file():
        return f"mail template {value!r} does not exist (engine/templates/mail/{value}.{LOCALES[0]}.txt)"
    return None


@service_handler(
    "send_email", required=("to", "template"), optional=("context", "locale"), check_literal=mail_template_problem
)
def send_email(ctx: HandlerContext, params: dict[str, Any]) -> int:
    """Returns the outbox message id; the template gets the reference, status link and service title too."""
    to, template = params["to"], params["template"]
    if not isinstance(to, str) or "@" not in to:
        raise HandlerError(f"'to' must be an e-mail address, got {to!r}")
    if (problem := mail_template_problem("template", template)) is not None:
        raise HandlerError(problem)
    context = params.get("context") or {}
    if not isinstance(context, dict):
        raise HandlerError("'context' must be a dict")
    locale = params.get("locale") or ctx.application.applicant.locale or LOCALES[0]
    return queue_email(
        ctx.db,
        ctx.platform,
        to=to,
        template=template,
        context={"data": ctx.data, **context},
        locale=str(locale),
        application_id=ctx.application.id,
        key=ctx.key,
    )
