"""Section `loop`: tests/fixtures/loops/correspondence_loop.bpmn driven through the API for many rounds of
official `review` (decision `ask`) → applicant `answer`; step time, state bytes and SQL statements at rounds
1, 200 and 1,000. A case the platform stops (today: "more than 800 steps in a loop") is reported, not raised."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from engine.paths import PROJECT_ROOT
from tests.bench.clients import ApiUser, Probe
from tests.bench.figures import Figure, Goal, Report, median, ms
from tests.bench.journeys import CITIZEN, OFFICIAL
from tests.bench.platforms import BenchError, BenchPlatform, build_platform, sqlite_url

LOOP_FILE = PROJECT_ROOT / "tests" / "fixtures" / "loops" / "correspondence_loop.bpmn"
SERVICE = "correspondence_loop"
TARGETS = (1, 200, 1000)
WINDOW = 10
STEP_GOAL = Goal(1.5, "≤ 1.5×")
STATE_GOAL = Goal(2.0, "≤ 2×")
STATEMENT_GOAL = Goal(12, "≤ 12")


def window(target: int, rounds: int) -> tuple[int, int]:
    """Ten rounds around `target` (1–10, 196–205, 991–1,000), kept inside 1..rounds."""
    first = max(1, min(target - WINDOW // 2 + 1, rounds - WINDOW + 1))
    return first, min(rounds, first + WINDOW - 1)


@dataclass
class LoopRun:
    rounds_done: int = 0
    failure: str = ""
    seconds: dict[int, list[float]] = field(default_factory=dict)  # round → [review, answer]
    statements: dict[int, list[int]] = field(default_factory=dict)
    state_bytes: dict[int, int] = field(default_factory=dict)
    failed_state_bytes: int | None = None


class LoopDriver:
    def __init__(self, bench: BenchPlatform) -> None:
        self.bench = bench
        self.probe = Probe(bench)
        self.citizen = ApiUser(bench, self.probe, CITIZEN)
        self.official = ApiUser(bench, self.probe, OFFICIAL)
        self.reference = ""

    def start(self) -> None:
        created = self.citizen.post("/applications", {"service": SERVICE}).get_json()
        self.reference = created["reference"]
        sent = self.citizen.post(f"/tasks/{created['tasks'][0]['id']}/complete", {"data": {"subject": "Листування"}})
        if sent.status_code != 200 or sent.get_json()["status"] != "active":
            raise BenchError(f"the loop case did not start: {sent.get_data(as_text=True)[:300]}")

    def _open_task(self, user: ApiUser, name: str) -> str | None:
        if user is self.official:
            found = user.get("/tasks?scope=queue").get_json()
            return next((t["id"] for t in found if t["reference"] == self.reference and t["name"] == name), None)
        tasks = user.get(f"/applications/{self.reference}").get_json()["tasks"]
        return next((t["id"] for t in tasks if t["name"] == name), None)

    def step(self, user: ApiUser, name: str, data: dict[str, Any]) -> str:
        """Complete the open task `name`; returns "" or why the case could not go on."""
        task = self._open_task(user, name)
        if task is None:
            return f"no open task {name!r} for {CITIZEN if user is self.citizen else OFFICIAL}"
        reply = user.post(f"/tasks/{task}/complete", {"data": data}, label=name)
        body = reply.get_json(silent=True) or {}
        if reply.status_code != 200:
            return f"HTTP {reply.status_code} on {name}: {body or reply.get_data(as_text=True)[:300]}"
        if body.get("status") == "error":
            error = body.get("error") or {}
            where = f" at {error['step']}" if error.get("step") else ""
            return f"the application went into the error state{where}: {error.get('message')}"
        return ""

    def state_bytes(self) -> int:
        query = text("SELECT state_json FROM application WHERE reference = :reference")
        with self.bench.platform.engine.connect() as conn:
            return len(str(conn.execute(query, {"reference": self.reference}).scalar_one()).encode())

    def run(self, rounds: int) -> LoopRun:
        found = LoopRun()
        self.start()
        for number in range(1, rounds + 1):
            for user, name, data in (
                (self.official, "review", {"decision": "ask", "question": f"Питання {number}"}),
                (self.citizen, "answer", {"reply": f"Відповідь {number}"}),
            ):
                failure = self.step(user, name, data)
                if failure:
                    found.failure = f"failed at round {number} ({name}): {failure}"
                    found.failed_state_bytes = self.state_bytes()  # as stored with the failure
                    return found
            calls = self.probe.take()
            found.seconds[number] = [c.seconds for c in calls]
            found.statements[number] = [c.statements for c in calls]
            found.rounds_done = number
            if number in TARGETS:
                found.state_bytes[number] = self.state_bytes()
        failure = self.step(self.official, "review", {"decision": "close"})
        if failure:
            found.failure = f"could not close after round {rounds}: {failure}"
        self.probe.take()
        return found


def run_loop(report: Report, root: Path, *, rounds: int) -> None:
    section = "loop"
    processes = root / "loop" / "processes"
    (processes / SERVICE).mkdir(parents=True, exist_ok=True)
    shutil.copy(LOOP_FILE, processes / SERVICE / LOOP_FILE.name)
    bench = build_platform(root / "loop", sqlite_url(root, "loop.db"), processes_dir=processes)
    try:
        found = LoopDriver(bench).run(rounds)
    finally:
        bench.close()
    _figures(report, section, found, rounds)
    report.details["loop"] = {
        "rounds": rounds,
        "rounds_done": found.rounds_done,
        "failure": found.failure or None,
        "step_ms": {n: [round(ms(s), 3) for s in v] for n, v in found.seconds.items()},
        "statements": found.statements,
        "state_bytes": found.state_bytes,
        "failed_state_bytes": found.failed_state_bytes,
    }


def _window_median(found: LoopRun, first: int, last: int) -> float | None:
    values = [s for n in range(first, last + 1) for s in found.seconds.get(n, [])]
    complete = all(n in found.seconds for n in range(first, last + 1))
    return ms(median(values)) if values and complete else None


def _why(skipped: bool, value: float | None, short: str, missing: str) -> str:
    return short if skipped else missing if value is None else ""


def _figures(report: Report, section: str, found: LoopRun, rounds: int) -> None:
    medians: dict[int, float | None] = {}
    short = f"the run had {rounds:,} rounds"
    missing = "not reached: the case failed before" if found.failure else ""
    for target in TARGETS:
        first, last = window(target, rounds)
        skipped = target > rounds
        medians[target] = None if skipped else _window_median(found, first, last)
        label = f"loop step, rounds {first:,}–{last:,}" if not skipped else f"loop step, round {target:,}"
        note = short if skipped else missing if medians[target] is None else "median of its review and answer steps"
        report.add(Figure(section, label, medians[target], "ms", note=note, skipped=skipped))
    for target in TARGETS[1:]:
        value, base = medians[target], medians[1]
        ratio = value / base if value is not None and base else None
        name, note = f"step at round {target:,} ÷ round 1", _why(target > rounds, ratio, short, missing)
        report.add(Figure(section, name, ratio, "×", STEP_GOAL, note=note, skipped=target > rounds))
    for target in TARGETS:
        size = found.state_bytes.get(target)
        name, note = f"state_json at round {target:,}", _why(target > rounds, size, short, missing)
        report.add(Figure(section, name, size, "bytes", note=note, decimals=0, skipped=target > rounds))
    for target in TARGETS[1:]:
        size, base_size = found.state_bytes.get(target), found.state_bytes.get(1)
        ratio = size / base_size if size is not None and base_size else None
        goal = STATE_GOAL if target == TARGETS[-1] else None
        name, note = f"state at round {target:,} ÷ round 1", _why(target > rounds, ratio, short, missing)
        report.add(Figure(section, name, ratio, "×", goal, note=note, skipped=target > rounds))
    if found.failure and found.rounds_done:
        last = found.rounds_done
        first = max(1, last - WINDOW + 1)
        name = f"loop step, rounds {first:,}–{last:,} (last done)"
        report.add(Figure(section, name, _window_median(found, first, last), "ms"))
        name = f"state_json at round {last + 1:,} (the failed one)"
        report.add(Figure(section, name, found.failed_state_bytes, "bytes", decimals=0))
    most = max((max(v) for v in found.statements.values()), default=None)
    report.add(Figure(section, "most SQL statements in one loop step", most, "", STATEMENT_GOAL, decimals=0))
    if found.failure:
        report.note(section, found.failure)
    else:
        report.note(section, f"all {rounds:,} rounds done, then the official closed the case")
