"""`posluhy audit verify` finds the first event changed, removed or reordered by raw SQL; an intact chain passes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from engine.cli import main
from engine.services.context import Platform

from .conftest import Tamper, last_event_id, write_events

pytestmark = pytest.mark.usefixtures("cli_env")


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["audit", "verify", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_intact_chain_verifies_with_its_count(platform: Platform, capsys: pytest.CaptureFixture[str]) -> None:
    write_events(platform, 6)
    last = last_event_id(platform)
    code, said = verify(capsys)
    assert code == 0, said
    assert f"audit trail intact: {last} event(s) checked (events 1–{last})" in said


def test_an_edited_event_is_named(platform: Platform, tamper: Tamper, capsys: pytest.CaptureFixture[str]) -> None:
    write_events(platform, 6)
    target = last_event_id(platform) - 3
    tamper("UPDATE audit_event SET details_json = '{\"n\": 99}' WHERE id = :id", id=target)
    code, said = verify(capsys)
    assert code == 1
    assert f"audit trail broken: event {target} was changed" in said
    assert f"{target - 1} event(s) before it are intact" in said


def test_an_edited_actor_is_named_too(platform: Platform, tamper: Tamper, capsys: pytest.CaptureFixture[str]) -> None:
    write_events(platform, 4)
    target = last_event_id(platform) - 1
    tamper("UPDATE audit_event SET actor = 'someone else' WHERE id = :id", id=target)
    code, said = verify(capsys)
    assert code == 1 and f"event {target} was changed" in said


def test_a_removed_event_is_named(platform: Platform, tamper: Tamper, capsys: pytest.CaptureFixture[str]) -> None:
    write_events(platform, 6)
    target = last_event_id(platform) - 2
    tamper("DELETE FROM audit_event WHERE id = :id", id=target)
    code, said = verify(capsys)
    assert code == 1
    assert f"audit trail broken: event {target} was removed: event {target + 1} links to an event" in said


def test_removing_the_newest_events_is_noticed_by_the_head(
    platform: Platform, tamper: Tamper, capsys: pytest.CaptureFixture[str]
) -> None:
    write_events(platform, 6)
    last = last_event_id(platform)
    tamper("DELETE FROM audit_event WHERE id >= :id", id=last - 1)
    code, said = verify(capsys)
    assert code == 1
    assert f"event {last - 1}–{last} was removed: the chain head names {last}" in said


def test_reordered_events_are_named(platform: Platform, tamper: Tamper, capsys: pytest.CaptureFixture[str]) -> None:
    write_events(platform, 6)
    first = last_event_id(platform) - 3
    tamper("UPDATE audit_event SET id = -1 WHERE id = :id", id=first)
    tamper("UPDATE audit_event SET id = :first WHERE id = :second", first=first, second=first + 1)
    tamper("UPDATE audit_event SET id = :second WHERE id = -1", second=first + 1)
    code, said = verify(capsys)
    assert code == 1
    assert f"audit trail broken: event {first} was reordered: it was written after the event now numbered" in said


def test_a_rewritten_hash_breaks_the_next_link(
    platform: Platform, tamper: Tamper, capsys: pytest.CaptureFixture[str]
) -> None:
    write_events(platform, 4)
    target = last_event_id(platform) - 1
    tamper("UPDATE audit_event SET hash = :h WHERE id = :id", h="f" * 64, id=target)
    code, said = verify(capsys)
    assert code == 1 and f"event {target} was changed" in said


def test_a_range_starts_from_the_event_before_it(
    platform: Platform, tamper: Tamper, capsys: pytest.CaptureFixture[str]
) -> None:
    write_events(platform, 4)
    last = last_event_id(platform)
    tamper("UPDATE audit_event SET at = '2020-01-01 10:00:00.000000' WHERE id <= 2")
    with platform.engine.connect() as conn:
        at = conn.execute(text("SELECT at FROM audit_event WHERE id = :id"), {"id": last}).scalar_one()
    day = (at if isinstance(at, str) else at.isoformat())[:10]
    code, said = verify(capsys, "--from", day, "--to", day)
    assert code == 0, said  # the events of 2020 were changed, but they lie before the range
    assert f"(events 3–{last})" in said
    code, said = verify(capsys)
    assert code == 1 and "event 1 was changed" in said


def test_a_range_with_no_event_is_intact(platform: Platform, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = verify(capsys, "--from", "1999-01-01", "--to", str(date(1999, 1, 2)))
    assert code == 0 and "0 event(s) checked" in said
