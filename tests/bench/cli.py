"""`python -m tests.bench [--section journey,postgres,loop,catalog] [--quick] [--json]`.

Prints one run's medians and ratios, each beside its goal from issue 8 and "met" / "short". The exit status is 0
whenever the run finished, whatever the figures: this measures, it does not gate (no timed assertions anywhere).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.bench.catalog import run_catalog
from tests.bench.figures import Report
from tests.bench.journey_section import run_journeys, run_postgres
from tests.bench.loop import run_loop
from tests.bench.machine import describe_machine
from tests.bench.platforms import postgres_base_url, postgres_version

SECTIONS = ("journey", "postgres", "loop", "catalog")
TITLES = {
    "journey": "Journey: family_composition_certificate, in process (Flask test client), SQLite WAL",
    "sql": "SQL statements per request (SQLite, before_cursor_execute)",
    "postgres": "Journey on PostgreSQL",
    "loop": "Loop: correspondence_loop through the API (review → answer per round), SQLite",
    "catalog": "Catalog, start-up and memory",
}
FULL = {"repetitions": 30, "warmup": 5, "loop_rounds": 1000, "catalog_size": 1000, "page_repetitions": 50, "starts": 3}
QUICK = {"repetitions": 8, "warmup": 2, "loop_rounds": 200, "catalog_size": 1000, "page_repetitions": 15, "starts": 1}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--section", default="all", help=f"comma-separated: {', '.join(SECTIONS)} (default all)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 200 loop rounds")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of the table")
    parser.add_argument("--repetitions", type=int, help="timed journeys per kind (30; quick 8)")
    parser.add_argument("--warmup", type=int, help="untimed journeys first (5; quick 2)")
    parser.add_argument("--loop-rounds", type=int, help="rounds of the correspondence loop (1000; quick 200)")
    parser.add_argument("--catalog-size", type=int, help="generated services (1000)")
    parser.add_argument("--page-repetitions", type=int, help="timed loads of each catalog page (50; quick 15)")
    parser.add_argument("--starts", type=int, help="cold starts and deploys timed (3; quick 1)")
    parser.add_argument("--keep", action="store_true", help="keep the bench's temporary folder and say where")
    return parser.parse_args(argv)


def options_of(args: argparse.Namespace) -> dict[str, Any]:
    chosen = dict(QUICK if args.quick else FULL)
    for key in chosen:
        if getattr(args, key) is not None:
            chosen[key] = getattr(args, key)
    return chosen


def sections_of(args: argparse.Namespace) -> list[str]:
    if args.section in ("", "all"):
        return list(SECTIONS)
    wanted = [s.strip() for s in args.section.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return wanted


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    chosen, sections = options_of(args), sections_of(args)
    machine = describe_machine()
    if "postgres" in sections and (base := postgres_base_url()):
        machine["postgresql"] = postgres_version(base)
    report = Report(machine=machine, options={"sections": ",".join(sections), "quick": args.quick, **chosen})
    root = Path(tempfile.mkdtemp(prefix="posluhy-bench-"))
    try:
        for section in sections:
            _run(section, report, root / section, chosen)
            if not args.json:
                print(f"[{section} done]", file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"bench files kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if args.json else report.table(TITLES))
    return 0


def _run(section: str, report: Report, root: Path, chosen: dict[str, Any]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if section == "journey":
        run_journeys(report, root, repetitions=chosen["repetitions"], warmup=chosen["warmup"])
    elif section == "postgres":
        run_postgres(report, root, repetitions=chosen["repetitions"], warmup=chosen["warmup"])
    elif section == "loop":
        run_loop(report, root, rounds=chosen["loop_rounds"])
    elif section == "catalog":
        run_catalog(
            report,
            root,
            size=chosen["catalog_size"],
            repetitions=chosen["page_repetitions"],
            warmup=min(5, chosen["page_repetitions"]),
            starts=chosen["starts"],
        )
