"""Servers the tests start on localhost: a real SMTP server (aiosmtpd) for what the platform mails, and free ports."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from engine.config import Settings


def free_port() -> int:
    """A localhost port nothing listens on now (aiosmtpd and gunicorn need a number up front: 0 will not do)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    """What the SMTP server received; `reply` makes it answer every message with that SMTP status instead."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.reply: str | None = None
        self.port = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.reply is not None:
            return self.reply
        content = envelope.original_content or b""
        with self._lock:
            self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def subjects(self, address: str | None = None) -> list[str]:
        return [str(m["Subject"]) for m in (self.to(address) if address else self.messages)]

    def serving(self, settings: Settings) -> Settings:
        """`settings` with the platform's mail sent here."""
        return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=self.port, smtp_timeout=5.0)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
