"""The operator console under test: browser-like signed-in clients (CSRF on), the citizen through the API, a
fake clock, and a real SMTP server for the citizen's mails."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from engine.clock import FakeClock
from engine.config import Settings
from engine.services.context import Platform

from ..conftest import Mailbox
from ..staff.conftest import Browser, Citizen, app, browser, citizen

__all__ = ["Browser", "Citizen", "app", "browser", "citizen"]

START = datetime(2026, 12, 28, 7, 0, tzinfo=UTC)  # a Monday, 09:00 in Kyiv


@pytest.fixture
def settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return mailbox.serving(settings)


@pytest.fixture
def clock(platform: Platform) -> FakeClock:
    fake = FakeClock(START)
    platform.clock = fake
    return fake


def form_version(html: str, action: str) -> str:
    """The case version a page's action form carries (what the operator saw)."""
    found = re.search(rf'name="{action}-version" value="(\d+)"', html)
    assert found, action
    return found.group(1)


def act(who: Browser, prefix: str, reference: str, action: str, reason: str, **extra: Any) -> Any:
    """Open the case page, then send one action form with its CSRF token and the version shown."""
    page = who.page(f"/{prefix}/cases/{reference}")
    token = re.search(rf'name="{action}-csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page[:2000]
    data = {
        f"{action}-csrf_token": token.group(1),
        f"{action}-version": form_version(page, action),
        f"{action}-reason": reason,
        **{f"{action}-{k}": v for k, v in extra.items()},
    }
    return who.client.post(f"/{prefix}/cases/{reference}/{action}", data=data)
