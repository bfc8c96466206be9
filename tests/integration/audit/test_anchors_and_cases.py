"""Anchors catch a database rewritten with consistent hashes; a deleted case keeps its events; the migration
chains the events written before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from engine.cli import main
from engine.db import normalise_url, unit_of_work
from engine.migrate import alembic_config, upgrade_database
from engine.models import Application
from engine.services.cases.applications import start_application
from engine.services.context import Platform
from engine.store import audit
from engine.store.audit_chain import HASHED_FIELDS, event_hash

from .conftest import ActorOf, Tamper, last_event_id, write_events

pytestmark = pytest.mark.usefixtures("cli_env")


def rehash_everything(platform: Platform) -> None:
    """What a careful forger does after changing a row: recompute every hash and the head, consistently."""
    previous = "0" * 64
    with platform.engine.begin() as conn:
        rows = conn.execute(text("SELECT id FROM audit_event ORDER BY id")).scalars().all()
    with unit_of_work(platform.write_sessions) as db:
        for event_id in rows:
            event = db.get(audit.AuditEvent, event_id)
            assert event is not None
            values = {name: getattr(event, name) for name in HASHED_FIELDS}
            values["previous_hash"] = previous
            event.previous_hash, event.hash = previous, event_hash(values)
            previous = event.hash
        db.execute(text("UPDATE audit_chain_head SET last_hash = :h"), {"h": previous})


def test_an_anchor_detects_a_consistently_rewritten_database(
    platform: Platform, tamper: Tamper, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_events(platform, 6)
    anchors = tmp_path / "anchors" / "audit.jsonl"
    assert main(["audit", "anchor", "--file", str(anchors)]) == 0
    last = last_event_id(platform)
    assert f'"last_id": {last}' in capsys.readouterr().out
    assert main(["audit", "verify", "--anchor", str(anchors)]) == 0
    assert "1 anchor(s) match" in capsys.readouterr().out

    tamper("UPDATE audit_event SET actor = 'nobody' WHERE id = :id", id=last - 2)
    rehash_everything(platform)
    assert main(["audit", "verify"]) == 0  # the chain alone cannot tell
    capsys.readouterr()
    assert main(["audit", "verify", "--anchor", str(anchors)]) == 1
    said = capsys.readouterr().err
    assert f"audit trail rewritten: anchored event {last} has hash" in said


def test_an_anchor_notices_its_event_is_gone(
    platform: Platform, tamper: Tamper, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_events(platform, 2)
    anchors = tmp_path / "audit.jsonl"
    assert main(["audit", "anchor", "--file", str(anchors)]) == 0
    last = last_event_id(platform)
    tamper("DELETE FROM audit_event WHERE id = :id", id=last)
    assert main(["audit", "verify", "--anchor", str(anchors)]) == 1
    assert "removed" in capsys.readouterr().err


def test_a_file_that_is_no_anchor_is_refused(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "anchor.txt"
    bad.write_text("hello\n", encoding="utf-8")
    assert main(["audit", "verify", "--anchor", str(bad)]) == 1
    assert "the file holds no anchor" in capsys.readouterr().err
    bad.write_text('hello\n{"last_id": 1}\n', encoding="utf-8")
    assert main(["audit", "verify", "--anchor", str(bad)]) == 1
    assert 'line 2 is not an anchor: {"last_id": 1}' in capsys.readouterr().err
    assert main(["audit", "anchor"]) == 1


def test_deleting_a_case_keeps_its_events_and_the_chain(
    platform: Platform, actor_of: ActorOf, tamper: Tamper, capsys: pytest.CaptureFixture[str]
) -> None:
    with unit_of_work(platform.write_sessions) as db:
        reference = start_application(db, platform, actor_of("citizen"), "family_composition_certificate").reference
    with unit_of_work(platform.read_sessions) as db:
        case_id = db.scalars(select(Application.id).where(Application.reference == reference)).one()
        before = [(e.id, e.hash, e.application_id) for e in audit.for_application(db, case_id)]
    assert before
    tamper("DELETE FROM application WHERE id = :id", id=case_id)  # its tasks and rows go by their cascades
    with unit_of_work(platform.read_sessions) as db:
        assert db.get(Application, case_id) is None
        after = [(e.id, e.hash, e.application_id) for e in audit.for_application(db, case_id)]
    assert after == before
    assert main(["audit", "verify"]) == 0, capsys.readouterr().err


def test_the_migration_chains_the_events_already_there(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "0011")
    engine = create_engine(normalise_url(database_url))
    with engine.begin() as conn:
        for event_id in (1, 2, 5):  # a gap, as a rolled-back transaction leaves on PostgreSQL
            conn.execute(
                text(
                    "INSERT INTO audit_event (id, at, actor, action, details_json)"
                    " VALUES (:id, '2026-01-02 03:04:05.000006', 'старий', 'old.event', '{\"ключ\": 1}')"
                ),
                {"id": event_id},
            )
    engine.dispose()
    upgrade_database(database_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["audit", "verify"]) == 0
    assert "3 event(s) checked (events 1–5)" in capsys.readouterr().out
