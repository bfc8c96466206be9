"""Two hosts writing audit events at once on PostgreSQL keep one chain (separate engines, threads started together)."""

from __future__ import annotations

import threading

import pytest

from engine.cli import main
from engine.config import Settings
from engine.services.context import Platform

from .conftest import write_events

UNITS = 15


@pytest.mark.postgres
@pytest.mark.usefixtures("cli_env")
def test_two_hosts_writing_at_once_keep_one_chain(
    platform: Platform, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _count(platform)
    hosts = [Platform.from_settings(settings) for _ in range(2)]
    start = threading.Barrier(len(hosts))
    failures: list[BaseException] = []

    def host(other: Platform, name: str) -> None:
        try:
            start.wait()
            for _ in range(UNITS):
                write_events(other, 4, actor=name)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=host, args=(p, f"host{n}")) for n, p in enumerate(hosts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in hosts:
        other.engine.dispose()
    assert failures == []
    assert _count(platform) == before + 2 * UNITS * 4
    assert main(["audit", "verify"]) == 0
    assert f"{before + 2 * UNITS * 4} event(s) checked" in capsys.readouterr().out


def _count(platform: Platform) -> int:
    from sqlalchemy import text

    with platform.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one())
