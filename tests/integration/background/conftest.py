"""Background work under test: a real SMTP server (aiosmtpd) on 127.0.0.1, a fake clock, demo people."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage, Message
from pathlib import Path

import pytest

from engine.clock import FakeClock
from engine.config import Settings
from engine.services.context import Platform

from ..conftest import ActorOf as ActorOf
from ..conftest import Mailbox as Mailbox

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 09:00 in Kyiv


@pytest.fixture
def settings(tmp_path: Path, database_url: str, settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    fake = FakeClock(START)
    platform.clock = fake
    return fake


def body(message: Message) -> str:
    """The plain-text body of a received message."""
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())
