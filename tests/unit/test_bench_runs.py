"""`make bench` still runs: every section but PostgreSQL, on tiny inputs, as `python -m tests.bench --json`.

Only that it finishes and reports each figure; never how fast (no timed assertions, house rule).
"""

from __future__ import annotations

import json
import subprocess
import sys

from engine.paths import PROJECT_ROOT

TINY = [
    "--section=journey,loop,catalog",
    "--json",
    "--repetitions=1",
    "--warmup=0",
    "--loop-rounds=3",
    "--catalog-size=5",
    "--page-repetitions=1",
    "--starts=1",
]


def test_the_bench_runs_on_tiny_inputs_and_reports_every_figure():
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", *TINY], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    figures = {(f["section"], f["name"]): f for f in report["figures"]}

    assert report["machine"]["cpu"] and report["machine"]["sqlite"]
    for name in ("API journey (5 requests)", "bare-engine limit (3 engine steps)", "HTML journey (16 requests)"):
        assert figures[("journey", name)]["value"] > 0
    assert figures[("journey", "API journey ÷ bare-engine limit")]["verdict"] in ("met", "short")
    assert figures[("sql", "API claim")]["limit"] == 4
    assert {f["name"] for f in report["figures"] if f["section"] == "sql"} >= {"API submit", "HTML POST decision"}

    loop = report["details"]["loop"]
    assert loop["rounds_done"] == 3 and loop["failure"] is None
    assert figures[("loop", "loop step, rounds 1–3")]["value"] > 0
    assert figures[("loop", "state_json at round 1")]["value"] > 0
    assert figures[("loop", "step at round 1,000 ÷ round 1")]["skipped"] is True

    for name in (
        "catalog page /services, 5 services",
        "/api/v1/services, 5 services",
        "home page /, 5 services",
        "posluhy deploy, nothing changed",
        "cold start (gunicorn --preload, 1 worker)",
        "worker memory",
    ):
        assert figures[("catalog", name)]["value"] > 0, name
