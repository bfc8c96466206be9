"""`igov_mail`: iGov's mail tasks (``activiti:type="mail"`` and the ``MailTaskWith…`` beans) through the outbox.

The fields arrive with ``${…}`` already substituted (translated JUEL, evaluated when the case reached the task).
iGov's own tags are rendered here:

* ``[pattern/mail/<name>.html]`` includes (header, footer, signature, feedback…) → the platform's short texts in
  :data:`PATTERNS` (``new_design/`` and ``_with_payment`` variants use the same text); other includes (print forms)
  are left out;
* ``[sID_Order]`` → the application's reference number; ``[sURL_ServiceMessage]`` → its status page;
* ``enum{[x]}`` → the label of the option chosen in enum field ``x``; ``value{[x]}`` → the value of ``x``;
  ``[pattern_dictonary:<file>.csv:value{[x]}]`` → the value of ``x`` (iGov's CSV dictionaries are not shipped);
  ``[paymentButton_…]`` → nothing (no payments).

The body is HTML when the task has an ``html`` field or its ``text`` contains tags (iGov wrote HTML into ``text``
for its mail beans); HTML is sanitised with nh3 and a plain-text part is derived from it. Recipients: ``to``,
``cc`` and ``bcc`` (comma or semicolon separated; quotes iGov put around ``"${email}"`` are dropped), one outbox
message each. Not supported, reported in the result: SMS (``sPhone_SMS``/``sText_SMS``: the platform has no SMS
gateway) and attachments (``saAttachmentsForSend``: the letter links to the application's status page instead).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, Final

import nh3

from engine.services.cases.views import manifest_of
from engine.services.handlers import HandlerContext, HandlerError, service_handler
from engine.services.mail.outbox import queue_raw_email, status_url

MAIL_FIELDS: Final = ("to", "from", "subject", "text", "html", "cc", "bcc", "charset")
BEAN_FIELDS: Final = ("saAttachmentsForSend", "sPhone_SMS", "sText_SMS", "bean")

#: iGov's mail includes, by file name without extension (Ukrainian: the letters are in Ukrainian).
PATTERNS: Final = {
    "_common_header": "Портал державних послуг",
    "_common_footer": "Цей лист надіслано автоматично, відповідати на нього не потрібно.",
    "_common_signature_start": "З повагою,",
    "_common_signature_end": "команда порталу державних послуг",
    "_common_signature": "З повагою, команда порталу державних послуг",
    "_common_feedback": "Будемо вдячні за ваш відгук про якість надання послуги.",
    "_common_employee_notify": "Надійшло нове звернення: перегляньте його у черзі завдань.",
    "_common_content_start": "",
    "_common_content_end": "",
}
_INCLUDE_RE: Final = re.compile(r"\[pattern/([^\]\s]+)\]")
_DICTIONARY_RE: Final = re.compile(r"\[pattern_dictonary:[^\]:]*:value\{\[(\w+)\]\}\]")
_ENUM_RE: Final = re.compile(r"enum\{\[(\w+)\]\}")
_VALUE_RE: Final = re.compile(r"value\{\[(\w+)\]\}")
_PAYMENT_RE: Final = re.compile(r"\[paymentButton_\w*\]")
_TAG_RE: Final = re.compile(r"<[A-Za-z/!][^>]*>")
_BREAK_RE: Final = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)


def _pattern_text(path: str) -> str:
    if not path.startswith("mail/"):
        return ""
    name = path.rsplit("/", 1)[-1].removesuffix(".html").removesuffix("_with_payment")
    return PATTERNS.get(name, "")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_igov_text(
    text: str,
    *,
    data: Mapping[str, Any],
    reference: str,
    enum_labels: Mapping[str, Mapping[str, str]],
    status_link: str = "",
    as_html: bool = False,
) -> str:
    """Replace iGov's tags in a mail text (see the module docstring); values are escaped when ``as_html``."""

    def out(value: str) -> str:
        return html.escape(value) if as_html else value

    def enum_label(match: re.Match[str]) -> str:
        name = match.group(1)
        chosen = _text(data.get(name))
        return out(enum_labels.get(name, {}).get(chosen, chosen))

    def pattern(match: re.Match[str]) -> str:
        return out(_pattern_text(match.group(1)))

    rendered = _INCLUDE_RE.sub(pattern, text)
    rendered = _DICTIONARY_RE.sub(lambda m: out(_text(data.get(m.group(1)))), rendered)
    rendered = _ENUM_RE.sub(enum_label, rendered)
    rendered = _VALUE_RE.sub(lambda m: out(_text(data.get(m.group(1)))), rendered)
    rendered = _PAYMENT_RE.sub("", rendered)
    rendered = rendered.replace("[sID_Order]", out(reference))
    return rendered.replace("[sURL_ServiceMessage]", out(status_link))


def looks_like_html(text: str) -> bool:
    return bool(_TAG_RE.search(text))


def html_to_text(body: str) -> str:
    """A plain-text part for an HTML letter: line breaks kept, tags dropped, blank runs collapsed."""
    text = _BREAK_RE.sub("\n", body)
    text = html.unescape(_TAG_RE.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    collapsed = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return collapsed.strip() + "\n"


def recipients(*values: Any) -> list[str]:
    """E-mail addresses in ``to``/``cc``/``bcc`` values (quotes and blanks dropped; duplicates once)."""
    found: list[str] = []
    for value in values:
        for part in re.split(r"[,;\s]+", _text(value)):
            address = part.strip().strip("\"'<>")
            if "@" in address and address not in found:
                found.append(address)
    return found


def enum_labels_of(ctx: HandlerContext) -> dict[str, dict[str, str]]:
    """Option labels of every choice field of the service (any step), in Ukrainian."""
    labels: dict[str, dict[str, str]] = {}
    for step in manifest_of(ctx.application.service_version).steps.values():
        for field in step.form.fields if step.form is not None else ():
            if field.options:
                labels.setdefault(field.name, {}).update({o.value: o.label.get("uk") for o in field.options})
    return labels


def compose(ctx: HandlerContext, params: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """Subject, plain-text body and HTML body (or None) of the letter, with iGov's tags rendered."""
    reference = ctx.application.reference
    labels = enum_labels_of(ctx)
    link = status_url(ctx.platform, reference)

    def render(text: str, *, as_html: bool = False) -> str:
        return render_igov_text(
            text, data=ctx.data, reference=reference, enum_labels=labels, status_link=link, as_html=as_html
        )

    subject = " ".join(render(_text(params.get("subject"))).split())
    source_html = _text(params.get("html"))
    source_text = _text(params.get("text"))
    if not source_html and looks_like_html(source_text):
        source_html, source_text = source_text, ""
    if source_html:
        body_html = nh3.clean(render(source_html, as_html=True))
        body_text = render(source_text) if source_text.strip() else html_to_text(body_html)
        return subject, body_text, body_html
    return subject, render(source_text).strip() + "\n", None


@service_handler("igov_mail", optional=(*MAIL_FIELDS, *BEAN_FIELDS), any_params=True)
def igov_mail(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """Queue the letter for every recipient; returns what was done (outbox ids, what was not supported)."""
    addresses = recipients(params.get("to"), params.get("cc"), params.get("bcc"))
    if not addresses:
        raise HandlerError(f"the mail task has no e-mail address to send to (to = {params.get('to')!r})")
    subject, body_text, body_html = compose(ctx, params)
    if not subject:
        subject = ctx.application.service_version.title
    ids = [
        queue_raw_email(
            ctx.db,
            ctx.platform,
            to=address,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            application_id=ctx.application.id,
            key=f"{ctx.key}:{number}",
        )
        for number, address in enumerate(addresses)
    ]
    not_done = [name for name in ("sPhone_SMS", "saAttachmentsForSend") if _text(params.get(name)).strip()]
    return {"outbox_ids": ids, "not_supported": not_done}
