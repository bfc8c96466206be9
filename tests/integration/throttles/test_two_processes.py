"""Two app processes (gunicorn, as in production) on two ports, one PostgreSQL database and one Redis: attempts
split across them are counted together, both by client address (Redis) and by account (the database)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import select

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.services.context import Platform
from tests.local_servers import free_port

from ...conftest import REDIS_URL
from .conftest import NETWORK, TOKEN_RE

pytestmark = [pytest.mark.postgres, pytest.mark.needs("redis")]
LOCKED = "Too many failed attempts"


def _start(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "webapp.wsgi:app"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app process at {url} exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the app process at {url} did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture
def hosts(database_url: str, platform: Platform, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two gunicorn processes on one test database (migrated, with the demo people) and one Redis key prefix."""
    prefix = f"posluhy-test-{uuid.uuid4().hex[:12]}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("POSLUHY_")}
    env |= {
        "DATABASE_URL": database_url,
        "POSLUHY_SECRET_KEY": "two-hosts-one-secret",
        "POSLUHY_VAR_DIR": str(tmp_path),
        "POSLUHY_DEPLOY_ON_START": "0",
        "POSLUHY_RATELIMIT_STORAGE": REDIS_URL,
        "POSLUHY_RATELIMIT_KEY_PREFIX": prefix,
        "POSLUHY_RATELIMIT_LOGIN": "4/minute",
        "POSLUHY_TRUSTED_PROXIES": "1",  # the test plays the proxy, so it can send from several addresses
    }
    ports = (free_port(), free_port())
    processes = [_start(port, env, tmp_path / f"host-{port}.log") for port in ports]
    urls = tuple(f"http://127.0.0.1:{port}" for port in ports)
    try:
        for process, url, port in zip(processes, urls, ports, strict=True):
            _wait_until_up(process, url, tmp_path / f"host-{port}.log")
        yield urls[0], urls[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)


def _sign_in(browser: httpx.Client, host: str, address: str, username: str, password: str) -> tuple[int, str]:
    """A sign-in through the trusted proxy for a client at `address` (the cookie jar is shared: same secret key)."""
    headers = {"X-Forwarded-For": address}
    found = TOKEN_RE.search(browser.get(f"{host}/login?lang=en", headers=headers).text)
    assert found is not None
    reply = browser.post(
        f"{host}/login?lang=en",
        data={"username": username, "password": password, "csrf_token": found.group(1)},
        headers=headers,
    )
    return reply.status_code, reply.text


def test_refusals_split_across_two_processes_are_limited_together(hosts: tuple[str, str], platform: Platform) -> None:
    first, second = hosts
    with httpx.Client(timeout=10) as browser:
        statuses = [
            _sign_in(browser, host, "203.0.113.120", f"guess-{i}", "x")[0]
            for i, host in enumerate((first, second, first, second))
        ]
        assert statuses == [400, 400, 400, 400]
        for host in (first, second):
            status, page = _sign_in(browser, host, "203.0.113.120", "citizen", "demo")
            assert status == 429 and NETWORK in page
        assert _sign_in(browser, second, "203.0.113.121", "citizen", "demo")[0] == 302

    with unit_of_work(platform.read_sessions) as db:
        throttled = db.scalars(select(AuditEvent.details_json).where(AuditEvent.action == "auth.throttled")).all()
    assert [json.loads(details)["address"] for details in throttled] == ["203.0.113.120"]  # once, not per host


def test_an_account_locked_through_one_process_is_locked_in_the_other(hosts: tuple[str, str]) -> None:
    first, second = hosts
    with httpx.Client(timeout=10) as browser:
        for i, host in enumerate((first, second, first, second, first)):  # each from its own address
            assert _sign_in(browser, host, f"198.51.100.{i + 1}", "citizen", "wrong")[0] == 400
        status, page = _sign_in(browser, second, "198.51.100.50", "citizen", "demo")
        assert status == 429
        assert re.search(rf"{LOCKED}. Try again in 1[45] minutes.", page)
        assert _sign_in(browser, first, "198.51.100.51", "citizen2", "demo")[0] == 302
