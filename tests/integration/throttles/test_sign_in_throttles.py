"""Signing in from one network: refused sign-ins are counted per client address, on the page and for API tokens,
beside the per-account lock; people who sign in correctly never use up the allowance."""

from __future__ import annotations

import pytest

from engine.services.context import Platform

from .conftest import NETWORK, NETWORK_UK, AppOf, client_at, csrf_token, sign_in, throttled_events


def test_the_twenty_first_refused_sign_in_in_a_minute_is_refused_with_a_page(app_of: AppOf, platform: Platform) -> None:
    app = app_of()
    client = client_at(app, "203.0.113.7")
    for attempt in range(20):  # a different name each time: no account is locked, only the network is counted
        assert sign_in(client, f"guess-{attempt}")[0] == 400

    status, page = sign_in(client, "citizen", "demo")  # even the right password waits
    assert status == 429
    assert f"{NETWORK}. Try again in 1 minute." in page
    assert "<title>Error: Too many attempts" in page
    assert 'class="error-summary" role="alert"' in page
    assert client.get("/login?lang=en").status_code == 200  # the form itself stays free

    assert sign_in(client_at(app, "198.51.100.20"), "citizen", "demo")[0] == 302  # other addresses are unaffected
    assert throttled_events(platform) == [
        {"endpoint": "auth.login", "limit": "20 per 1 minute", "address": "203.0.113.7"}
    ]


def test_the_refusal_says_when_to_come_back_in_ukrainian_by_default(app_of: AppOf) -> None:
    app = app_of(ratelimits={"login": "2/hour"})
    client = client_at(app, "203.0.113.8")
    for _ in range(2):
        sign_in(client, "nobody", lang="uk")
    reply = client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": csrf_token(client)})
    assert reply.status_code == 429
    seconds = int(reply.headers["Retry-After"])
    assert 0 < seconds <= 3600
    minutes = -(-seconds // 60)
    page = reply.get_data(as_text=True)
    assert NETWORK_UK in page and "Помилка: Забагато спроб" in page
    assert f"Спробуйте знову через {minutes} хвилин" in page  # 60 хвилин, or fewer near the end of the window
    assert 'href="/login"' in page  # back to the form


def test_successful_sign_ins_do_not_use_up_the_allowance(app_of: AppOf) -> None:
    """A service centre behind one address: its staff signing in all morning are never slowed down."""
    app = app_of(ratelimits={"login": "3/minute"})
    for username in ("citizen", "citizen2", "lubny.cnap", "citizen", "citizen2"):
        assert sign_in(client_at(app, "192.0.2.50"), username, "demo")[0] == 302
    client = client_at(app, "192.0.2.50")
    for _ in range(3):
        assert sign_in(client, "citizen", "typo")[0] == 400
    assert sign_in(client, "citizen2", "demo")[0] == 429


def test_a_flood_of_refusals_is_audited_once_per_window(app_of: AppOf, platform: Platform) -> None:
    app = app_of(ratelimits={"login": "1/minute"})
    for address in ("203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.2"):
        client = client_at(app, address)
        sign_in(client, "someone")
        sign_in(client, "someone")
    assert throttled_events(platform) == [
        {"endpoint": "auth.login", "limit": "1 per 1 minute", "address": "203.0.113.1"},
        {"endpoint": "auth.login", "limit": "1 per 1 minute", "address": "203.0.113.2"},
    ]


def test_the_api_token_endpoint_answers_json_with_retry_after(app_of: AppOf, platform: Platform) -> None:
    app = app_of(ratelimits={"token": "2/minute"})
    client = client_at(app, "203.0.113.9")
    for _ in range(2):
        assert client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code == 401
    reply = client.post("/api/v1/auth/token?lang=en", json={"username": "citizen", "password": "demo"})
    assert reply.status_code == 429
    assert reply.is_json
    assert reply.get_json() == {"error": f"{NETWORK}. Try again in 1 minute."}
    assert 0 < int(reply.headers["Retry-After"]) <= 60
    reply = client.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"})
    assert reply.get_json() == {"error": f"{NETWORK_UK}. Спробуйте знову через 1 хвилину."}

    other = client_at(app, "203.0.113.10")
    assert other.post("/api/v1/auth/token", json={"username": "citizen", "password": "demo"}).status_code == 200
    assert [e["endpoint"] for e in throttled_events(platform)] == ["api.issue_token"]


def test_sign_in_page_and_api_tokens_are_counted_apart(app_of: AppOf) -> None:
    app = app_of(ratelimits={"login": "2/minute", "token": "2/minute"})
    client = client_at(app, "203.0.113.11")
    for _ in range(2):
        sign_in(client, "x")
    assert sign_in(client, "x")[0] == 429
    assert client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code == 401


@pytest.mark.parametrize(
    ("address", "neighbour", "shared"),
    [
        ("2001:db8:1:2::10", "2001:db8:1:2:ffff::1", True),  # one /64: one household or one customer
        ("2001:db8:1:2::10", "2001:db8:1:3::10", False),
        ("::ffff:203.0.113.5", "203.0.113.5", True),  # an IPv4 client seen by a dual-stack socket
    ],
)
def test_ipv6_clients_are_counted_by_their_network(app_of: AppOf, address: str, neighbour: str, shared: bool) -> None:
    app = app_of(ratelimits={"login": "1/minute"})
    sign_in(client_at(app, address), "x")
    assert sign_in(client_at(app, neighbour), "x")[0] == (429 if shared else 400)
