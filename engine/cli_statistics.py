"""`posluhy statistics rebuild` (count the daily statistics again) and `posluhy demo-cases` (demo data for them)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from engine.config import Settings
from engine.db import unit_of_work
from engine.services.context import Platform
from engine.services.statistics.aggregate import count_range, first_day, kyiv_day
from engine.services.statistics.demo import create_demo_cases


def cmd_statistics_rebuild(args: argparse.Namespace) -> int:
    platform = Platform.from_settings(Settings.from_env())
    try:
        with unit_of_work(platform.read_sessions) as db:
            start = args.from_day or first_day(db)
        last = args.to_day or kyiv_day(platform.clock.now())
        if start is None:
            print("no applications yet: nothing to count")
            return 0
        with unit_of_work(platform.write_sessions) as db:
            days = count_range(db, start, last)
    finally:
        platform.engine.dispose()
    print(f"statistics counted for {days} day(s), {start.isoformat()} to {last.isoformat()}")
    return 0


def cmd_demo_cases(args: argparse.Namespace) -> int:
    platform = Platform.from_settings(Settings.from_env())
    try:
        report = create_demo_cases(platform, count=args.count, months=args.months)
    finally:
        platform.engine.dispose()
    if report.created == 0:
        print("demo cases: the database has applications already, none added")
    else:
        print(f"demo cases: {report.created} completed application(s), {report.rated} rated, statistics counted")
    return 0


def add_parsers(sub: Any) -> None:
    statistics = sub.add_parser("statistics", help="the public statistics: count the daily figures again")
    actions = statistics.add_subparsers(dest="action", required=True)
    rebuild = actions.add_parser("rebuild", help="count every day again (default: from the first application)")
    rebuild.add_argument("--from", dest="from_day", type=date.fromisoformat, help="first day, YYYY-MM-DD (Kyiv)")
    rebuild.add_argument("--to", dest="to_day", type=date.fromisoformat, help="last day, YYYY-MM-DD (default: today)")
    rebuild.set_defaults(func=cmd_statistics_rebuild)
    demo = sub.add_parser("demo-cases", help="demo data: completed, rated applications over the past months")
    demo.add_argument("--count", type=int, default=150, help="how many applications (default 150)")
    demo.add_argument("--months", type=int, default=6, help="over how many past months (default 6)")
    demo.set_defaults(func=cmd_demo_cases)
