"""The worker writes and mails an anchor once per period when POSLUHY_AUDIT_ANCHOR_FILE / _MAIL are set."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.cli import main
from engine.clock import FakeClock
from engine.config import Settings
from engine.services.context import Platform
from engine.worker import run_once
from tests.local_servers import Mailbox

from .conftest import last_event_id, write_events

AUDITOR = "auditor@example.org"


@pytest.fixture
def anchored(platform: Platform, settings: Settings, mailbox: Mailbox, tmp_path: Path) -> Iterator[Platform]:
    """The platform's database, with a worker configured to anchor every 24 hours to a file and a mail."""
    configured = dataclasses.replace(
        mailbox.serving(settings),
        audit_anchor_file=str(tmp_path / "anchors" / "audit.jsonl"),
        audit_anchor_mail=AUDITOR,
        audit_anchor_hours=24,
    )
    worker = Platform.from_settings(configured)
    worker.clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    yield worker
    worker.engine.dispose()


def test_the_worker_anchors_once_a_period_to_the_file_and_the_mail(
    anchored: Platform, mailbox: Mailbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    write_events(anchored, 2)
    run_once(anchored)
    run_once(anchored)  # the same day: no second anchor
    anchors = Path(anchored.settings.audit_anchor_file)
    lines = anchors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["last_id"] == last_event_id(anchored)
    assert mailbox.subjects(AUDITOR) == [f"Posluhy audit anchor: event {json.loads(lines[0])['last_id']}"]

    write_events(anchored, 2)
    assert isinstance(anchored.clock, FakeClock)
    anchored.clock.advance(timedelta(hours=25))
    run_once(anchored)
    lines = anchors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["last_id"] == last_event_id(anchored)

    mailed = tmp_path / "mailed.txt"  # an anchor kept as a mail works as an anchor file too
    mailed.write_text(mailbox.to(AUDITOR)[0].get_body(("plain",)).get_content(), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", anchored.settings.database_url)
    assert main(["audit", "verify", "--anchor", str(anchors)]) == 0
    assert "2 anchor(s) match" in capsys.readouterr().out
    assert main(["audit", "verify", "--anchor", str(mailed)]) == 0
    assert "1 anchor(s) match" in capsys.readouterr().out
