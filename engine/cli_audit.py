"""`posluhy audit verify` and `posluhy audit anchor`: check the audit trail's hash chain, keep its head elsewhere."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.db import unit_of_work
from engine.services.admin.audit_anchors import (
    AnchorFileError,
    check_anchors,
    current_anchor,
    mail_anchor,
    read_anchors,
    write_anchor,
)
from engine.services.admin.audit_trail import verify_chain
from engine.services.context import Platform


def add_parsers(sub: Any) -> None:
    audit = sub.add_parser("audit", help="check the audit trail's hash chain, or write its head (an anchor)")
    commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = commands.add_parser("verify", help="check the chain; names the first event changed, removed or reordered")
    verify.add_argument("--from", dest="since", type=date.fromisoformat, help="first day (YYYY-MM-DD, Kyiv time)")
    verify.add_argument("--to", dest="until", type=date.fromisoformat, help="last day, included (YYYY-MM-DD)")
    verify.add_argument("--anchor", help="a file of anchors: the database must still hold each anchored event")
    verify.set_defaults(func=cmd_verify)
    anchor = commands.add_parser("anchor", help="append the chain head to a file and/or mail it")
    anchor.add_argument("--file", help="append the anchor (one JSON line) to this file")
    anchor.add_argument("--mail", help="mail the anchor to this address (sent by the worker)")
    anchor.set_defaults(func=cmd_anchor)


def cmd_verify(args: argparse.Namespace) -> int:
    anchors = None
    if args.anchor:
        try:
            anchors = read_anchors(Path(args.anchor).read_text(encoding="utf-8"))
        except (OSError, AnchorFileError) as exc:
            print(f"error: {args.anchor}: {exc}", file=sys.stderr)
            return 1
    platform = Platform.from_settings(Settings.from_env())
    try:
        with unit_of_work(platform.read_sessions) as db:
            report = verify_chain(db, since=args.since, until=args.until)
            problems = check_anchors(db, anchors) if anchors else []
    finally:
        platform.engine.dispose()  # close the pooled connection now, also when main() is called in-process
    if report.problem is not None:
        print(f"audit trail broken: {report.problem.message}", file=sys.stderr)
        print(f"{report.checked} event(s) before it are intact", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"audit trail rewritten: {problem}", file=sys.stderr)
    if problems:
        return 1
    span = "" if report.first_id is None else f" (events {report.first_id}–{report.last_id})"
    anchored = f"; {len(anchors)} anchor(s) match" if anchors else ""
    print(f"audit trail intact: {report.checked} event(s) checked{span}{anchored}")
    return 0


def cmd_anchor(args: argparse.Namespace) -> int:
    if not args.file and not args.mail:
        print("error: give --file PATH and/or --mail ADDRESS", file=sys.stderr)
        return 1
    platform = Platform.from_settings(Settings.from_env())
    try:
        with unit_of_work(platform.write_sessions) as db:
            anchor = current_anchor(db, platform)
            if args.file:
                write_anchor(anchor, Path(args.file))
            if args.mail:
                mail_anchor(db, platform, anchor, to=args.mail)
    finally:
        platform.engine.dispose()
    print(anchor.line())
    return 0
