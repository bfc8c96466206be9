"""E-mail: templated messages written to the outbox in the caller's transaction, delivered by the worker.

A message has a `key` naming the event it reports ("received:<reference>", "corrections:<task id>"); the key
becomes its Message-ID, unique in the outbox, so an event re-run after a worker crash queues nothing new.
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from engine.models import Job, OutboxStatus
from engine.paths import TEMPLATES_DIR as ENGINE_TEMPLATES
from engine.services.background.jobs import JobKind, PermanentJobError, enqueue_job
from engine.services.context import Platform
from engine.services.mail.delivery import PermanentMailError, deliver
from engine.store import applications, outbox

TEMPLATES_DIR = ENGINE_TEMPLATES / "mail"
LOCALES = ("uk", "en")
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def queue_email(
    db: Session,
    platform: Platform,
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    locale: str,
    application_id: int | None = None,
    key: str | None = None,
) -> int:
    """Render `<template>.<locale>.txt` (first line "Subject: …") and `.html` if present, queue it for sending;
    returns the outbox id. With a `key` already queued, nothing new is queued and the earlier id is returned."""
    values = {**_application_context(db, platform, application_id, locale), **context}
    subject, body_text = _render_text(template, locale, values)
    html = _render_html(template, locale, values)
    return _queue(db, platform, to, subject, body_text, html, application_id, message_id_for(platform, key))


def queue_raw_email(
    db: Session,
    platform: Platform,
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    application_id: int | None = None,
    key: str | None = None,
) -> int:
    """Queue a message whose subject and body are already written (iGov mail tasks); same `key` rule as above."""
    return _queue(db, platform, to, subject, body_text, body_html, application_id, message_id_for(platform, key))


def _queue(
    db: Session,
    platform: Platform,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None,
    application_id: int | None,
    message_id: str,
) -> int:
    """Two statements: the outbox row (unless its Message-ID is queued already) and the job that sends it."""
    new_id = outbox.add_once(
        db,
        application_id=application_id,
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        status=OutboxStatus.QUEUED.value,
        attempts=0,
        created_at=platform.clock.now(),
        message_id=message_id,
    )
    if new_id is None:
        return outbox.id_of(db, message_id)
    enqueue_job(
        db,
        platform,
        kind=JobKind.SEND_EMAIL,
        payload={"outbox_id": new_id},
        application_id=None,
        dedupe_key=f"outbox:{new_id}",
        max_attempts=8,
        fetch=False,
    )
    return new_id


def status_url(platform: Platform, reference: str) -> str:
    return f"{platform.settings.base_url.rstrip('/')}/status/{reference}"


def _application_context(db: Session, platform: Platform, application_id: int | None, locale: str) -> dict[str, Any]:
    if application_id is None:
        return {"base_url": platform.settings.base_url.rstrip("/")}
    application = applications.get(db, application_id)
    if application is None:
        return {"base_url": platform.settings.base_url.rstrip("/")}
    version = platform.caches.version(db, application.service_version_id)
    return {
        "base_url": platform.settings.base_url.rstrip("/"),
        "reference": application.reference,
        "status_url": status_url(platform, application.reference),
        "service_title": version.title_in(locale),
        "applicant_name": application.applicant.full_name or application.applicant.username,
    }


@cache
def _locale(template: str, locale: str) -> str:
    return locale if (TEMPLATES_DIR / f"{template}.{locale}.txt").exists() else LOCALES[0]


@cache
def _has_html(name: str) -> bool:
    return (TEMPLATES_DIR / name).exists()


def _render_text(template: str, locale: str, values: dict[str, Any]) -> tuple[str, str]:
    text = _ENV.get_template(f"{template}.{_locale(template, locale)}.txt").render(values)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"mail template {template!r} must start with a 'Subject:' line")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def _render_html(template: str, locale: str, values: dict[str, Any]) -> str | None:
    name = f"{template}.{_locale(template, locale)}.html"
    return _ENV.get_template(name).render(values) if _has_html(name) else None


def message_id_for(platform: Platform, key: str | None) -> str:
    domain = urlsplit(platform.settings.base_url).hostname or "posluhy.local"
    local = re.sub(r"[^A-Za-z0-9._-]", ".", key) if key else uuid.uuid4().hex
    return f"<{local}@{domain}>"


def send_failed(db: Session, platform: Platform, job: Job, error: str, final: bool) -> None:
    message = outbox.lock(db, int(job.payload["outbox_id"]))
    if message is None or message.status == OutboxStatus.SENT.value:
        return
    message.attempts += 1
    message.last_error = error
    message.status = OutboxStatus.PERMANENT_FAILURE.value if final else OutboxStatus.TEMPORARY_FAILURE.value


def send_email_job(db: Session, platform: Platform, job: Job) -> None:
    """Deliver under the outbox row lock; a message already sent is never sent again."""
    message = outbox.lock(db, int(job.payload["outbox_id"]))
    if message is None or message.status in (OutboxStatus.SENT.value, OutboxStatus.PERMANENT_FAILURE.value):
        return
    try:
        deliver(platform.settings, message)
    except PermanentMailError as exc:
        raise PermanentJobError(str(exc)) from exc
    message.attempts += 1
    message.status = OutboxStatus.SENT.value
    message.sent_at = platform.clock.now()
    message.last_error = None
