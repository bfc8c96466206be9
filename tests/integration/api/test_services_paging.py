"""GET /api/v1/services: still a JSON array, now a page of it, with X-Total-Count and RFC 8288 Link headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.catalog.listing import CatalogFilters, list_services
from engine.services.context import Platform
from tests.fixtures.catalog.catalogs import GENERATED, big_catalog
from tests.fixtures.catalog.statements import counting
from webapp import create_app

TOTAL = GENERATED + len(list((PROJECT_ROOT / "processes").rglob("*.bpmn")))  # 207
LINK_RE = re.compile(r'<([^>]+)>; rel="(\w+)"')


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with big_catalog(tmp_path_factory.mktemp("big-catalog-api")) as platform:
        yield platform


@pytest.fixture(scope="module")
def client(big: Platform) -> FlaskClient:
    app: Flask = create_app(big.settings, platform=big)
    app.config["TESTING"] = True
    return app.test_client(use_cookies=False)


def links(reply: Any) -> dict[str, dict[str, list[str]]]:
    """rel → the linked page's query parameters."""
    found = LINK_RE.findall(reply.headers.get("Link", ""))
    return {rel: parse_qs(urlsplit(url).query) for url, rel in found}


def ids(reply: Any) -> list[str]:
    return [s["id"] for s in reply.get_json()]


def catalog_order(platform: Platform, filters: CatalogFilters | None = None) -> list[str]:
    with unit_of_work(platform.read_sessions) as db:
        return [s.id for s in list_services(db, filters)]


def test_the_first_page_holds_fifty_and_the_headers_tell_the_rest(client: FlaskClient, big: Platform) -> None:
    reply = client.get("/api/v1/services")

    assert reply.status_code == 200
    assert ids(reply) == catalog_order(big)[:50]
    assert reply.headers["X-Total-Count"] == str(TOTAL)
    found = links(reply)
    assert set(found) == {"first", "next", "last"}
    assert (found["first"]["page"], found["next"]["page"], found["last"]["page"]) == (["1"], ["2"], ["5"])
    assert reply.headers["Link"].startswith("<http://localhost/api/v1/services?page=1>")  # absolute addresses


def test_following_next_links_returns_every_service_once(client: FlaskClient, big: Platform) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/services?per_page=30"
    while url is not None:
        reply = client.get(url)
        assert reply.status_code == 200
        seen += ids(reply)
        following = LINK_RE.findall(reply.headers["Link"])
        url = next((target for target, rel in following if rel == "next"), None)
    assert seen == catalog_order(big)


def test_the_last_page_links_back_and_a_page_past_it_is_empty(client: FlaskClient, big: Platform) -> None:
    last = client.get("/api/v1/services?per_page=100&page=3")
    past = client.get("/api/v1/services?per_page=100&page=4")

    assert ids(last) == catalog_order(big)[200:]
    assert set(links(last)) == {"first", "prev", "last"} and links(last)["prev"]["page"] == ["2"]
    assert (past.status_code, past.get_json(), past.headers["X-Total-Count"]) == (200, [], str(TOTAL))
    assert links(past)["last"]["page"] == ["3"]


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=1.5", "per_page=0", "per_page=101", "per_page=ten", "availability=maybe"],
)
def test_bad_paging_or_availability_is_a_400_naming_the_rule(client: FlaskClient, query: str) -> None:
    reply = client.get(f"/api/v1/services?{query}", headers={"Accept-Language": "en"})

    assert reply.status_code == 400
    message = reply.get_json()["error"]
    assert ("per_page at most 100" in message) if "availability" not in query else ("online, soon, in_work" in message)


def test_a_hundred_per_page_is_the_most(client: FlaskClient) -> None:
    assert len(client.get("/api/v1/services?per_page=100").get_json()) == 100


@pytest.mark.parametrize(
    "filters",
    [
        CatalogFilters(query="сімʼї"),
        CatalogFilters(query="Certificate"),
        CatalogFilters(category="Довідки"),
        CatalogFilters(organisation="myrhorod-council", availability="online"),
        CatalogFilters(availability="soon", query="no."),
    ],
    ids=str,
)
def test_filters_and_search_select_the_same_services_as_the_catalog(
    client: FlaskClient, big: Platform, filters: CatalogFilters
) -> None:
    args = {"q": filters.query, "category": filters.category, "organisation": filters.organisation}
    args |= {"availability": filters.availability, "per_page": "100"}
    reply = client.get("/api/v1/services", query_string={k: v for k, v in args.items() if v})

    expected = catalog_order(big, filters)
    assert ids(reply) == expected[:100]
    assert reply.headers["X-Total-Count"] == str(len(expected))
    for target in links(reply).values():  # links keep the filters
        assert {k: v[0] for k, v in target.items() if k != "page"} == {k: v for k, v in args.items() if v}


@pytest.mark.parametrize("url", ["/api/v1/services", "/api/v1/services?page=4", "/api/v1/services?q=довідка"])
def test_a_page_costs_two_queries_however_big_the_catalog(
    client: FlaskClient, big: Platform, api: Any, platform: Platform, url: str
) -> None:
    client.get(url)
    with counting(big.engine) as statements:
        client.get(url)
    small_client = api("citizen").client
    with counting(platform.engine) as small:  # the seven demo services
        small_client.get(url.replace("page=4", "page=1"))

    selects = [s for s in statements.sent if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == len([s for s in small.sent if s.lstrip().upper().startswith("SELECT")]) == 2
