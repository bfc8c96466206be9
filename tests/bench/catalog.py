"""Section `catalog`: with N generated services deployed, p50 of the catalog page, `/api/v1/services` and the
home page (in process, anonymous); `posluhy deploy` with nothing changed; gunicorn's cold start; worker memory."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from engine.models import Service
from engine.services.catalog.deploy import deploy_configured
from tests.bench.figures import Figure, Goal, Report, median, ms
from tests.bench.platforms import BenchError, BenchPlatform, build_platform, sqlite_url
from tests.bench.server import fetch, gunicorn, platform_env, rss_bytes, run_deploy
from tests.fixtures.catalog.generate import write_services

PAGES = (
    ("catalog page /services", "/services", Goal(30, "≤ 30 ms")),
    ("/api/v1/services", "/api/v1/services", Goal(30, "≤ 30 ms")),
    ("home page /", "/", Goal(20, "≤ 20 ms")),
)
COLD_START = Goal(3.0, "≤ 3 s")
DEPLOY = Goal(2.0, "≤ 2 s")
MIB = 1024 * 1024
RSS = Goal(120, "≤ 120 MiB")


def _deployed(bench: BenchPlatform) -> int:
    with bench.platform.read_sessions() as db:
        return int(db.scalar(select(func.count()).select_from(Service)) or 0)


def _deploy_in_process(bench: BenchPlatform, size: int) -> float:
    started = time.perf_counter()
    found = deploy_configured(bench.platform)
    took = time.perf_counter() - started
    if len(found.unchanged) != size:
        raise BenchError(f"the deploy changed something: {found.lines()[:5]}")
    return took


def _page_figures(report: Report, bench: BenchPlatform, size: int, *, repetitions: int, warmup: int) -> None:
    client = bench.app.test_client()
    for name, url, goal in PAGES:
        took, statements = [], 0
        for number in range(warmup + repetitions):
            bench.sql.reset()
            started = time.perf_counter()
            reply = client.get(url)
            reply.get_data()
            seconds = time.perf_counter() - started
            if reply.status_code != 200:
                raise BenchError(f"GET {url}: HTTP {reply.status_code}")
            if number >= warmup:
                took.append(seconds)
                statements = max(statements, bench.sql.count)
        note = f"p50 of {repetitions}, {statements} SQL statements"
        report.add(Figure("catalog", f"{name}, {size:,} services", ms(median(took)), "ms", goal, note=note))
        report.details.setdefault("catalog", {})[url] = [round(ms(t), 3) for t in took]


def run_catalog(report: Report, root: Path, *, size: int, repetitions: int, warmup: int, starts: int) -> None:
    section = "catalog"
    processes, forms = root / "catalog" / "processes", root / "catalog" / "forms"
    forms.mkdir(parents=True, exist_ok=True)
    write_services(processes, size, seed=8)
    started = time.perf_counter()
    bench = build_platform(root / "catalog", sqlite_url(root, "catalog.db"), processes_dir=processes, forms_dir=forms)
    first_deploy = time.perf_counter() - started
    try:
        if (deployed := _deployed(bench)) != size:
            raise BenchError(f"{deployed} services deployed, expected {size}")
        report.add(
            Figure(section, f"first deploy of {size:,} services", first_deploy, "s", note="in process, + migrate")
        )
        _page_figures(report, bench, size, repetitions=repetitions, warmup=warmup)
        in_process = _deploy_in_process(bench, size)
    finally:
        bench.close()
    env = platform_env(bench.settings)
    deploys = []
    for _ in range(starts):
        took, output = run_deploy(env)
        if output.count("unchanged ") != size:
            raise BenchError(f"posluhy deploy changed something: {output[-500:]}")
        deploys.append(took)
    note = f"median of {starts}, wall time of the command"
    report.add(Figure(section, "posluhy deploy, nothing changed", median(deploys), "s", DEPLOY, note=note, decimals=2))
    note = "deploy_configured alone: no interpreter start, no imports"
    report.add(Figure(section, "  of which the deploy itself", in_process, "s", note=note, decimals=2))
    _server_figures(report, root, env, size=size, starts=starts)


def _server_figures(report: Report, root: Path, env: dict[str, str], *, size: int, starts: int) -> None:
    section = "catalog"
    log = root / "gunicorn.log"
    cold, rss, without_deploy = [], 0, []
    for number in range(starts):
        with gunicorn(env, log) as server:
            cold.append(server.started_in)
            if number == starts - 1:
                for _ in range(50):
                    if fetch(f"{server.base}/services") != 200:
                        raise BenchError("the catalog page did not answer 200 under gunicorn")
                workers = server.worker_pids()
                if len(workers) != 1:
                    raise BenchError(f"expected one gunicorn worker, found {workers}")
                rss = rss_bytes(workers[0])
    for _ in range(starts):
        with gunicorn({**env, "POSLUHY_DEPLOY_ON_START": "0"}, log) as server:
            without_deploy.append(server.started_in)
    note = f"median of {starts}; gunicorn start to the first 200 of /, deploy on start included"
    report.add(Figure(section, "cold start (gunicorn --preload, 1 worker)", median(cold), "s", COLD_START, note=note))
    note = "POSLUHY_DEPLOY_ON_START=0"
    report.add(Figure(section, "  cold start without the start-up deploy", median(without_deploy), "s", note=note))
    note = "VmRSS after 50 catalog pages"
    report.add(Figure(section, "worker memory", rss / MIB, "MiB", RSS, note=note))
    report.note(section, f"{size:,} generated services (tests/fixtures/catalog/generate.py), SQLite, anonymous visitor")
