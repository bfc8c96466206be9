"""Sections `journey` (SQLite) and `postgres`: the API journey against the bare-engine limit, the HTML journey
against the API journey, and the SQL statements of every request. The journeys of one repetition run back to
back (in a rotating order), so the machine's load drifts the same way for everything a ratio compares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.bare import BARE_STEPS, BareEngine, PostgresStore, SqliteStore, deployed_spec_json
from tests.bench.clients import Call
from tests.bench.figures import Figure, Goal, Report, median, ms
from tests.bench.journeys import (
    API_STEPS,
    HTML_CASE_STEPS,
    HTML_STEPS,
    SERVICE,
    ApiJourney,
    HtmlJourney,
    decision,
    start_answers,
    step_seconds,
)
from tests.bench.platforms import build_platform, postgres_base_url, postgres_database, sqlite_url

RATIO_API_BARE = Goal(1.5, "≤ 1.5×")
RATIO_HTML_API = Goal(1.3, "≤ 1.3×")
STEP_STATEMENTS = Goal(12, "≤ 12")
CLAIM_STATEMENTS = Goal(4, "≤ 4")


@dataclass
class Samples:
    """Seconds per repetition: the whole journey and each step, plus the largest statement count per request."""

    totals: list[float] = field(default_factory=list)
    steps: dict[str, list[float]] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, by_step: dict[str, float], calls: list[Call] | None = None) -> None:
        self.totals.append(sum(by_step.values()))
        for step, seconds in by_step.items():
            self.steps.setdefault(step, []).append(seconds)
        for call in calls or []:
            if call.statements >= self.statements.get(call.label, -1):
                self.statements[call.label] = call.statements
                self.kinds[call.label] = call.kinds

    def median_ms(self, step: str | None = None) -> float:
        return ms(median(self.totals if step is None else self.steps[step]))

    def as_json(self) -> dict[str, Any]:
        return {
            "median_ms": self.median_ms(),
            "steps_median_ms": {s: self.median_ms(s) for s in self.steps},
            "samples_ms": [round(ms(t), 3) for t in self.totals],
            "statements": self.statements,
            "statement_kinds": self.kinds,
        }


def _repeat(count: int, runs: list[Callable[[], None]]) -> None:
    for number in range(count):
        shift = number % len(runs)
        for run in runs[shift:] + runs[:shift]:
            run()


def run_journeys(report: Report, root: Path, *, repetitions: int, warmup: int) -> None:
    """SQLite: API, HTML and bare-engine journeys, interleaved."""
    section = "journey"
    bench = build_platform(root / "journey", sqlite_url(root, "journey.db"))
    try:
        api, html = ApiJourney(bench), HtmlJourney(bench)
        bare = BareEngine(deployed_spec_json(bench, SERVICE), SqliteStore(root / "bare.db"))
        answers = {**start_answers(), "passport_scan": "bench-file"}
        api_s, html_s, bare_s, upload_s = Samples(), Samples(), Samples(), Samples()
        done = {"api": 0, "html": 0, "bare": 0}

        def api_run() -> None:
            passport, upload = api.upload()  # before the journey, like the tokens
            journey = api.run(passport)
            if _count(counts=done, key="api") > warmup:
                api_s.add(step_seconds(journey), journey.calls)
                upload_s.add({"upload": upload.seconds}, [upload])

        def html_run() -> None:
            journey = html.run()
            if _count(counts=done, key="html") > warmup:
                html_s.add(step_seconds(journey, HTML_STEPS), journey.calls)

        def bare_run() -> None:
            took = bare.journey(answers, decision(done["bare"]))
            if _count(counts=done, key="bare") > warmup:
                bare_s.add(took)

        _repeat(warmup + repetitions, [api_run, html_run, bare_run])
        bare.store.close()
    finally:
        bench.close()
    _journey_figures(report, section, api_s, bare_s, html_s, upload_s, repetitions)
    _statement_figures(report, api_s, html_s)
    report.details["journey"] = {
        "api": api_s.as_json(),
        "html": html_s.as_json(),
        "bare": bare_s.as_json(),
        "upload": upload_s.as_json(),
    }


def _count(*, counts: dict[str, int], key: str) -> int:
    counts[key] += 1
    return counts[key]


def _journey_figures(
    report: Report, section: str, api: Samples, bare: Samples, html: Samples, upload: Samples, repetitions: int
) -> None:
    api_ms, bare_ms, html_ms, upload_ms = api.median_ms(), bare.median_ms(), html.median_ms(), upload.median_ms()
    report.add(Figure(section, "API journey (5 requests)", api_ms, "ms", note=f"median of {repetitions}"))
    for step in API_STEPS:
        report.add(Figure(section, f"  API {step}", api.median_ms(step), "ms"))
    report.add(Figure(section, "bare-engine limit (3 engine steps)", bare_ms, "ms", note=f"median of {repetitions}"))
    for step in BARE_STEPS:
        report.add(Figure(section, f"  bare {step}", bare.median_ms(step), "ms", decimals=2))
    report.add(Figure(section, "API journey ÷ bare-engine limit", api_ms / bare_ms, "×", RATIO_API_BARE))
    report.add(Figure(section, "HTML journey (16 requests)", html_ms, "ms", note=f"median of {repetitions}"))
    for step in HTML_STEPS:
        report.add(Figure(section, f"  HTML {step}", html.median_ms(step), "ms"))
    report.add(Figure(section, "API upload of the passport scan", upload_ms, "ms", note="not in the API journey"))
    ratio = html_ms / (api_ms + upload_ms)
    note = "the HTML journey uploads the file with page 3, so the API side counts its upload too"
    report.add(Figure(section, "HTML journey ÷ (API journey + upload)", ratio, "×", RATIO_HTML_API, note=note))


def _statement_figures(report: Report, api: Samples, html: Samples) -> None:
    section = "sql"
    for step in API_STEPS:
        goal = CLAIM_STATEMENTS if step == "claim" else STEP_STATEMENTS
        note = _kinds(api.kinds[step])
        report.add(Figure(section, f"API {step}", api.statements[step], "", goal, note=note, decimals=0))
    for labels in HTML_STEPS.values():
        for label in labels:
            case_step = HTML_CASE_STEPS.get(label)
            html_goal = (CLAIM_STATEMENTS if case_step == "claim" else STEP_STATEMENTS) if case_step else None
            note = _kinds(html.kinds[label]) if case_step else ""
            report.add(Figure(section, f"HTML {label}", html.statements[label], "", html_goal, note=note, decimals=0))
    report.note(section, "every statement the platform's engine sends (before_cursor_execute), the max over the")
    report.note(section, "timed journeys; on SQLite that includes each transaction's BEGIN / BEGIN IMMEDIATE")
    report.note(
        section, "(PostgreSQL's driver sends BEGIN itself, unseen). Goals apply to requests that change a case."
    )


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items(), key=lambda k: -k[1]))


def run_postgres(report: Report, root: Path, *, repetitions: int, warmup: int) -> None:
    """The API journey and the bare-engine limit on PostgreSQL, in a database of their own, dropped after."""
    section = "postgres"
    base = postgres_base_url()
    if not base:
        for name in ("API journey on PostgreSQL", "bare-engine limit on PostgreSQL"):
            report.add(Figure(section, name, None, "ms", skipped=True))
        report.add(
            Figure(section, "API journey ÷ bare-engine limit (PostgreSQL)", None, "×", RATIO_API_BARE, skipped=True)
        )
        report.note(section, "skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server")
        return
    with postgres_database(base) as url:
        bench = build_platform(root / "postgres", url)
        try:
            api = ApiJourney(bench)
            bare = BareEngine(deployed_spec_json(bench, SERVICE), PostgresStore(url))
            answers = {**start_answers(), "passport_scan": "bench-file"}
            api_s, bare_s = Samples(), Samples()
            done = {"api": 0, "bare": 0}

            def api_run() -> None:
                passport, _upload = api.upload()
                journey = api.run(passport)
                if _count(counts=done, key="api") > warmup:
                    api_s.add(step_seconds(journey), journey.calls)

            def bare_run() -> None:
                took = bare.journey(answers, decision(done["bare"]))
                if _count(counts=done, key="bare") > warmup:
                    bare_s.add(took)

            _repeat(warmup + repetitions, [api_run, bare_run])
            bare.store.close()
        finally:
            bench.close()
    api_ms, bare_ms = api_s.median_ms(), bare_s.median_ms()
    report.add(Figure(section, "API journey on PostgreSQL", api_ms, "ms", note=f"median of {repetitions}"))
    for step in API_STEPS:
        report.add(Figure(section, f"  API {step}", api_s.median_ms(step), "ms"))
    report.add(Figure(section, "bare-engine limit on PostgreSQL", bare_ms, "ms", note=f"median of {repetitions}"))
    for step in BARE_STEPS:
        report.add(Figure(section, f"  bare {step}", bare_s.median_ms(step), "ms", decimals=2))
    report.add(Figure(section, "API journey ÷ bare-engine limit (PostgreSQL)", api_ms / bare_ms, "×", RATIO_API_BARE))
    most = max(api_s.statements.values())
    report.add(Figure(section, "most SQL statements in one API request", most, "", STEP_STATEMENTS, decimals=0))
    report.details["postgres"] = {"api": api_s.as_json(), "bare": bare_s.as_json()}
