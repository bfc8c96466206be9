"""Counting in Redis, which every host shares: two apps count one network's attempts together; if Redis stops
answering, sign-in stays up and each process counts in its own memory (logged); memory:// in production warns."""

from __future__ import annotations

import logging

import pytest

from engine.services.context import Platform
from tests.local_servers import free_port

from .conftest import NETWORK, AppOf, client_at, sign_in, throttled_events


def test_two_hosts_on_one_redis_count_together(
    app_of: AppOf, redis_storage: dict[str, str], platform: Platform
) -> None:
    first, second = (app_of(ratelimits={"login": "3/minute"}, **redis_storage) for _ in range(2))
    assert sign_in(client_at(first, "203.0.113.90"), "a")[0] == 400
    assert sign_in(client_at(second, "203.0.113.90"), "b")[0] == 400
    assert sign_in(client_at(first, "203.0.113.90"), "c")[0] == 400
    status, page = sign_in(client_at(second, "203.0.113.90"), "citizen", "demo")
    assert status == 429 and NETWORK in page
    assert sign_in(client_at(first, "203.0.113.90"), "d")[0] == 429
    assert sign_in(client_at(second, "203.0.113.91"), "citizen", "demo")[0] == 302
    assert len(throttled_events(platform)) == 1  # audited once, though refused by both hosts


def test_installations_sharing_a_redis_do_not_mix_their_counts(app_of: AppOf, redis_storage: dict[str, str]) -> None:
    ours = app_of(ratelimits={"login": "1/minute"}, **redis_storage)
    theirs = app_of(
        ratelimits={"login": "1/minute"},
        ratelimit_storage=redis_storage["ratelimit_storage"],
        ratelimit_key_prefix=redis_storage["ratelimit_key_prefix"] + "-other",
    )
    assert sign_in(client_at(ours, "203.0.113.92"), "x")[0] == 400
    assert sign_in(client_at(theirs, "203.0.113.92"), "x")[0] == 400
    assert sign_in(client_at(ours, "203.0.113.92"), "x")[0] == 429


def test_when_redis_is_down_sign_in_stays_up_and_each_process_counts_alone(
    app_of: AppOf, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = app_of(ratelimits={"login": "2/minute"}, ratelimit_storage=f"redis://127.0.0.1:{free_port()}/0")
    assert "does not answer: each process counts in its own memory" in caplog.text  # said at start-up

    assert sign_in(client_at(app, "203.0.113.93"), "citizen", "demo")[0] == 302
    assert "falling back to in-memory storage" in caplog.text
    client = client_at(app, "203.0.113.94")
    assert [sign_in(client, "x")[0] for _ in range(3)] == [400, 400, 429]


def test_memory_storage_in_production_warns_at_start_up(app_of: AppOf, caplog: pytest.LogCaptureFixture) -> None:
    app_of(environment="production", ratelimit_storage="memory://")
    assert "POSLUHY_RATELIMIT_STORAGE=memory:// in production: every worker process and every host" in caplog.text
    caplog.clear()
    app_of(environment="development", ratelimit_storage="memory://")
    assert "POSLUHY_RATELIMIT_STORAGE" not in caplog.text
