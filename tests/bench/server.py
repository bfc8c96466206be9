"""Processes the catalog section starts: `posluhy deploy` and gunicorn on a free loopback port. Each is bounded in
time, and stopped by its own process id."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.config import Settings
from engine.paths import PROJECT_ROOT
from tests.bench.platforms import BenchError

BIN = Path(sys.executable).parent
START_TIMEOUT = 120.0


def platform_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a deployed platform would have, pointing at the bench's database and folders."""
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "POSLUHY_VAR_DIR": str(settings.var_dir),
        "POSLUHY_UPLOAD_DIR": str(settings.upload_dir),
        "POSLUHY_PROCESSES_DIR": str(settings.processes_dir),
        "POSLUHY_FORMS_DIR": str(settings.forms_dir),
        "POSLUHY_SECRET_KEY": settings.secret_key,
        **extra,
    }


def run_deploy(env: dict[str, str]) -> tuple[float, str]:
    """`posluhy deploy` as an operator runs it: wall time of the whole command, and its output."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "posluhy"), "deploy"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"posluhy deploy failed ({done.returncode}): {(done.stdout + done.stderr)[-800:]}")
    return took, done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            reply.read()
            status: int = reply.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    started_in: float

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise BenchError(f"no VmRSS for process {pid}")


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[Server]:
    """`gunicorn --preload --workers 1 webapp.wsgi:app` on a free port; started_in = seconds to the first 200 of /."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "gunicorn"), "--preload", "--workers", "1", "--bind", f"127.0.0.1:{port}", "webapp.wsgi:app"]
    with log.open("ab") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            took = _wait_for_home(process, base, started, log)
            yield Server(process, base, took)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def _wait_for_home(process: subprocess.Popen[bytes], base: str, started: float, log: Path) -> float:
    while time.perf_counter() - started < START_TIMEOUT:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}: {log.read_text(errors='replace')[-800:]}")
        try:
            if fetch(f"{base}/") == 200:
                return time.perf_counter() - started
        except OSError:
            pass  # not listening yet
        time.sleep(0.01)
    raise BenchError(f"gunicorn did not answer / within {START_TIMEOUT:.0f} s")
