"""iGov's delegate beans (``activiti:delegateExpression="#{bean}"``): the registry bean name → platform handler.

A service task naming a bean has the topic ``igov_bean`` and the input ``bean``; the handler below looks the bean up
in :data:`BEANS` and runs the platform's stand-in. Every bean returns the variables it sets (merged into the data).

==================================  ==========================================================================
bean                                what the platform does
==================================  ==========================================================================
MailTaskWithAttachments,            e-mail through the outbox (``igov_mail``: ``to``/``subject``/``text``/``html``;
MailTaskWithoutAttachment,          attachments and SMS are not sent, see :mod:`.igov_mail`)
MailTaskWithAttachmentsAndSMS,
MailTaskWithoutAttachmentAndWithSms,
MailTaskWithSMS
fileTaskUpload, fileTaskInheritance the citizen's uploads are already the application's attachments: links any
                                    upload of a file field not linked yet; sets nothing
ProcessCountTaskCustomListener      sequential number per service: ``[var]`` in ``sPattern`` (default
                                    ``sID_Custom_GovPublic``) = the application's number among the service's
                                    applications, zero-padded to ``nDigits``
procedQueueTickets                  no electronic queue here: the visit date the citizen entered (``visitDay``)
                                    becomes iGov's ticket record (JSON with ``sDate``, ``ticket_number``,
                                    ``ticket_code``) and ``date_of_visit`` (``YYYY-MM-DD HH:MM:SS.00``)
==================================  ==========================================================================

Any other bean is unknown: ``posluhy check`` warns (:func:`known_bean`), and a case reaching it gets an incident
(HandlerError) an operator can retry or skip. Empty error boundaries on such tasks are not triggered: the incident
is the visible outcome (an administrator who skips it continues on the normal flow).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from engine.services.handlers import HandlerContext, HandlerError, service_handler
from engine.services.igov.mail import igov_mail
from engine.store import applications, attachments

BeanFunction = Callable[[HandlerContext, dict[str, Any]], dict[str, Any]]
DEFAULT_COUNTER_VARIABLE: Final = "sID_Custom_GovPublic"
QUEUE_FIELD: Final = "visitDay"
_DATE_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)


@dataclass(frozen=True)
class Bean:
    name: str
    description: str
    function: BeanFunction


def _mail(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    igov_mail.function(ctx, params)
    return {}


def _file_upload(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    ids = [v for v in ctx.data.values() if isinstance(v, str) and len(v) == 36 and v.count("-") == 4]
    attachments.link_to_application(
        ctx.db, ids, owner_id=ctx.application.applicant_id, application_id=ctx.application.id
    )
    return {}


def counter_variable(pattern: Any) -> str:
    """The variable ``[name]`` in ``sPattern`` names (iGov's ``[sID_Custom_GovPublic]``)."""
    text = str(pattern or "")
    start, end = text.find("["), text.find("]")
    name = text[start + 1 : end].strip() if 0 <= start < end else ""
    return name if name.isidentifier() else DEFAULT_COUNTER_VARIABLE


def counter_value(number: int, digits: Any) -> str:
    try:
        width = max(0, min(int(str(digits).strip() or 0), 20))
    except ValueError:
        width = 0
    return str(number).zfill(width)


def _counter(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    service_id = ctx.application.service_version.service_id
    number = applications.ordinal_in_service(ctx.db, service_id, ctx.application.id)
    return {counter_variable(params.get("sPattern")): counter_value(number or 1, params.get("nDigits"))}


def parse_visit(text: Any) -> datetime | None:
    """The visit date and time the citizen entered, in any of the usual formats (None when it is not one)."""
    value = str(text or "").strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def queue_ticket(visit: datetime, number: int) -> dict[str, Any]:
    """iGov's queue ticket variables for a visit: the JSON record in ``visitDay`` and ``date_of_visit``."""
    stamp = visit.strftime("%Y-%m-%d %H:%M:%S.00")
    record = {
        "sDate": stamp,
        "nID_FlowSlotTicket": number,
        "ticket_number": f"{number % 1000:03d}",
        "ticket_code": f"P{number}",
    }
    return {QUEUE_FIELD: json.dumps(record, ensure_ascii=False, separators=(",", ":")), "date_of_visit": stamp}


def _queue_tickets(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    current = ctx.data.get(QUEUE_FIELD)
    try:
        record = json.loads(current) if isinstance(current, str) else None
    except ValueError:
        record = None
    if isinstance(record, dict) and record.get("sDate"):
        return {"date_of_visit": str(record["sDate"])}
    visit = parse_visit(current) or parse_visit(ctx.data.get("date_of_visit"))
    if visit is None:
        raise HandlerError(f"the visit date {current!r} ({QUEUE_FIELD}) is not a date and time")
    return queue_ticket(visit, ctx.application.id)


_MAIL_DESCRIPTION: Final = "e-mail through the outbox (attachments and SMS are not sent)"
BEANS: Final[dict[str, Bean]] = {
    bean.name: bean
    for bean in (
        *(
            Bean(name, _MAIL_DESCRIPTION, _mail)
            for name in (
                "MailTaskWithAttachments",
                "MailTaskWithoutAttachment",
                "MailTaskWithAttachmentsAndSMS",
                "MailTaskWithoutAttachmentAndWithSms",
                "MailTaskWithSMS",
            )
        ),
        Bean("fileTaskUpload", "the uploads are the application's attachments", _file_upload),
        Bean("fileTaskInheritance", "the uploads are the application's attachments", _file_upload),
        Bean("ProcessCountTaskCustomListener", "sequential number per service", _counter),
        Bean("procedQueueTickets", "no electronic queue: the entered visit date becomes the ticket", _queue_tickets),
    )
}


def known_bean(name: str) -> bool:
    """Whether a service task's bean has a platform handler (``posluhy check`` warns about the others)."""
    return name in BEANS


def is_mail_bean(name: str) -> bool:
    return name in BEANS and BEANS[name].function is _mail


@service_handler("igov_bean", required=("bean",), merge=True, any_params=True)
def igov_bean(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    name = str(params.get("bean") or "")
    bean = BEANS.get(name)
    if bean is None:
        raise HandlerError(f"unknown iGov bean {name!r}: the platform has no handler for it (retry or skip)")
    return bean.function(ctx, {key: value for key, value in params.items() if key != "bean"})
