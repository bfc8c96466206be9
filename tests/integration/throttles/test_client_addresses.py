"""Whose address is counted: the TCP peer, unless POSLUHY_TRUSTED_PROXIES says how many proxies in front of the app
append to X-Forwarded-For; then the address the outermost trusted proxy saw, never one the client wrote itself."""

from __future__ import annotations

from .conftest import AppOf, client_at, sign_in

PROXY = "10.0.0.5"


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app_of: AppOf) -> None:
    app = app_of(ratelimits={"login": "2/minute"})
    statuses = [
        sign_in(client_at(app, "203.0.113.80", **{"X-Forwarded-For": f"198.51.100.{i}"}), "x")[0] for i in range(3)
    ]
    assert statuses == [400, 400, 429]  # made-up addresses do not buy more attempts


def test_behind_one_trusted_proxy_each_client_is_counted_apart(app_of: AppOf) -> None:
    app = app_of(ratelimits={"login": "2/minute"}, trusted_proxies=1)
    first = client_at(app, PROXY, **{"X-Forwarded-For": "198.51.100.1"})
    second = client_at(app, PROXY, **{"X-Forwarded-For": "198.51.100.2"})
    assert [sign_in(first, "x")[0] for _ in range(3)] == [400, 400, 429]
    assert sign_in(second, "x")[0] == 400  # the proxy's other clients are not refused with the first


def test_a_client_cannot_prepend_addresses_to_escape_the_count(app_of: AppOf) -> None:
    app = app_of(ratelimits={"login": "2/minute"}, trusted_proxies=1)
    statuses = [
        sign_in(client_at(app, PROXY, **{"X-Forwarded-For": f"192.0.2.{i}, 198.51.100.9"}), "x")[0] for i in range(3)
    ]
    assert statuses == [400, 400, 429]  # the proxy appended 198.51.100.9; what the client sent before it is ignored


def test_behind_two_trusted_proxies_the_outer_ones_view_counts(app_of: AppOf) -> None:
    app = app_of(ratelimits={"login": "1/minute"}, trusted_proxies=2)
    sign_in(client_at(app, PROXY, **{"X-Forwarded-For": "198.51.100.30, 10.1.0.1"}), "x")
    assert sign_in(client_at(app, PROXY, **{"X-Forwarded-For": "198.51.100.30, 10.1.0.2"}), "x")[0] == 429
    assert sign_in(client_at(app, PROXY, **{"X-Forwarded-For": "198.51.100.31, 10.1.0.1"}), "x")[0] == 400
