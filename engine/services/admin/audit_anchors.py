"""Anchors: the chain head (last id, hash, time) kept outside the database, so a rewritten database is detected.

An anchor is one JSON line; a file gathers them (appended) and a mail carries one. `check_anchors` asks whether
the database still holds each anchored event with the anchored hash: rewriting a row and then every later hash
consistently passes `verify_chain`, but not this.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine.services.context import Platform
from engine.services.mail.outbox import queue_raw_email
from engine.store import audit_chain


@dataclass(frozen=True)
class Anchor:
    last_id: int
    hash: str
    at: datetime | None
    anchored_at: datetime

    def line(self) -> str:
        return json.dumps(
            {
                "last_id": self.last_id,
                "hash": self.hash,
                "at": None if self.at is None else self.at.isoformat(),
                "anchored_at": self.anchored_at.isoformat(),
            },
            sort_keys=True,
        )


class AnchorFileError(ValueError):
    """The anchor file holds no anchor, or a line that is not one."""


def current_anchor(db: Session, platform: Platform) -> Anchor:
    head = audit_chain.head(db)
    found = audit_chain.event_at(db, head.last_id) if head.last_id else None
    return Anchor(head.last_id, head.last_hash, None if found is None else found[2], platform.clock.now())


def write_anchor(anchor: Anchor, path: Path) -> None:
    """Append the anchor to the file (created with its folder if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(anchor.line() + "\n")


def mail_anchor(db: Session, platform: Platform, anchor: Anchor, *, to: str) -> int:
    body = (
        "The head of the Posluhy audit trail. Keep this mail: `posluhy audit verify --anchor FILE` with the line\n"
        "below in FILE checks that the database still holds this event with this hash.\n\n"
        f"{anchor.line()}\n"
    )
    return queue_raw_email(
        db,
        platform,
        to=to,
        subject=f"Posluhy audit anchor: event {anchor.last_id}",
        body_text=body,
        key=f"audit-anchor.{anchor.last_id}.{anchor.anchored_at.isoformat()}",
    )


def read_anchors(text: str) -> list[tuple[int, str]]:
    """(last_id, hash) of every anchor line (a line starting with "{"; other lines, such as a mail's text, are
    skipped); an anchor line that does not parse is refused with its number."""
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip().startswith("{"):
            continue
        try:
            value = json.loads(line)
            anchors.append((int(value["last_id"]), str(value["hash"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorFileError(f"line {number} is not an anchor: {line.strip()[:80]}") from exc
    if not anchors:
        raise AnchorFileError("the file holds no anchor")
    return anchors


def check_anchors(db: Session, anchors: list[tuple[int, str]]) -> list[str]:
    """What does not match, one sentence per anchor; empty when the database still holds every anchored event."""
    problems = []
    for last_id, expected in anchors:
        if last_id == 0:
            continue
        found = audit_chain.event_at(db, last_id)
        if found is None:
            problems.append(f"anchored event {last_id} is no longer in the database")
        elif found[1] != expected:
            problems.append(
                f"anchored event {last_id} has hash {found[1][:16]}…, the anchor says {expected[:16]}…:"
                " the audit trail was rewritten"
            )
    return problems
