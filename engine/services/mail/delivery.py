"""SMTP delivery of one outbox message; classifies failures as temporary (retry) or permanent."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from engine.config import Settings
from engine.models import OutboxMessage


class TemporaryMailError(Exception):
    """The server or network said "try later" (4xx, timeouts, refused connections)."""


class PermanentMailError(Exception):
    """The server rejected the message for good (5xx): retrying would not help."""


def build_message(settings: Settings, outbox: OutboxMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = outbox.to_address
    message["Subject"] = outbox.subject
    message["Message-ID"] = outbox.message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message.set_content(outbox.body_text)
    if outbox.body_html:
        message.add_alternative(outbox.body_html, subtype="html")
    return message


def deliver(settings: Settings, outbox: OutboxMessage) -> None:
    message = build_message(settings, outbox)
    if not settings.smtp_host:
        _drop(settings, outbox, message)
        return
    try:
        with _connect(settings) as client:
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise _classified(min(codes) if codes else 550, str(exc.recipients)) from exc
    except smtplib.SMTPResponseException as exc:
        raise _classified(exc.smtp_code, _text(exc.smtp_error)) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryMailError(f"{type(exc).__name__}: {exc}") from exc


def _connect(settings: Settings) -> smtplib.SMTP:
    mode = settings.smtp_tls.lower()
    if mode == "ssl":
        return smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=ssl.create_default_context()
        )
    client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
    if mode == "starttls":
        client.starttls(context=ssl.create_default_context())
    return client


def _classified(code: int, text: str) -> Exception:
    detail = f"SMTP {code}: {text}"
    return PermanentMailError(detail) if 500 <= code < 600 else TemporaryMailError(detail)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _drop(settings: Settings, outbox: OutboxMessage, message: EmailMessage) -> None:
    """Without an SMTP host, keep the message as a file a developer can open."""
    folder = settings.var_dir / "mail"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{outbox.id:06d}.eml").write_bytes(bytes(message))
    except OSError as exc:
        raise TemporaryMailError(f"cannot write {folder}: {exc}") from exc
