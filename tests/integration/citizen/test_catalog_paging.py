"""The catalog of 207 services in pages of 20: pagination links, counts, filters kept, and a flat number of queries."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.catalog.listing import CatalogFilters, list_services
from engine.services.context import Platform
from tests.fixtures.catalog.catalogs import GENERATED, big_catalog
from tests.fixtures.catalog.statements import counting
from webapp import create_app

from .conftest import Browser

TOTAL = GENERATED + len(list((PROJECT_ROOT / "processes").rglob("*.bpmn")))  # 207: 200 generated, 7 demo
LINK_RE = re.compile(r'href="/services/([A-Za-z0-9_]+)"')
PAGE_LABEL_RE = re.compile(r'aria-label="Page (\d+)"')


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with big_catalog(tmp_path_factory.mktemp("big-catalog")) as platform:
        yield platform


@pytest.fixture(scope="module")
def big_app(big: Platform) -> Flask:
    app = create_app(big.settings, platform=big)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def visitor(big_app: Flask) -> Browser:
    return Browser(big_app.test_client())


def listed(html: str) -> list[str]:
    return list(dict.fromkeys(LINK_RE.findall(html)))


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return markup.unescape(found.group(1)) if found else None


def current_page(html: str) -> str | None:
    found = re.search(r'aria-label="Page (\d+)" aria-current="page"', html)
    return found.group(1) if found else None


def catalog_order(platform: Platform, filters: CatalogFilters | None = None) -> list[str]:
    with unit_of_work(platform.read_sessions) as db:
        return [s.id for s in list_services(db, filters)]


def selects(sent: list[str]) -> int:
    return sum(statement.lstrip().upper().startswith("SELECT") for statement in sent)


def test_the_first_page_shows_twenty_services_and_links_onwards(visitor: Browser, big: Platform) -> None:
    html = visitor.page("/services")

    assert listed(html) == catalog_order(big)[:20]
    assert f"Showing 1–20 of {TOTAL} services" in html
    assert '<nav class="pagination" aria-label="Pages of results">' in html
    assert PAGE_LABEL_RE.findall(html) == ["1", "2", "11"]  # 1 2 … 11
    assert "&ctdot;" in html
    assert current_page(html) == "1"
    assert link(html, "prev") is None
    assert link(html, "next") == "/services?page=2"


def test_a_middle_page_links_both_ways_and_names_its_neighbours(visitor: Browser, big: Platform) -> None:
    html = visitor.page("/services?page=5")

    assert listed(html) == catalog_order(big)[80:100]
    assert f"Showing 81–100 of {TOTAL} services" in html
    assert "<title>Services (page 5 of 11)" in html
    assert PAGE_LABEL_RE.findall(html) == ["1", "4", "5", "6", "11"]  # 1 … 4 5 6 … 11
    assert html.count("&ctdot;") == 2
    assert current_page(html) == "5"
    assert (link(html, "prev"), link(html, "next")) == ("/services?page=4", "/services?page=6")


def test_the_last_page_holds_the_rest_and_links_back_only(visitor: Browser, big: Platform) -> None:
    html = visitor.page("/services?page=11")

    assert listed(html) == catalog_order(big)[200:]
    assert len(listed(html)) == TOTAL - 200
    assert f"Showing 201–{TOTAL} of {TOTAL} services" in html
    assert current_page(html) == "11"
    assert link(html, "next") is None
    assert link(html, "prev") == "/services?page=10"


def test_following_next_visits_every_service_once(visitor: Browser, big: Platform) -> None:
    seen: list[str] = []
    url: str | None = "/services"
    while url is not None:
        html = visitor.page(url)
        seen += listed(html)
        url = link(html, "next")
    assert seen == catalog_order(big)


@pytest.mark.parametrize("page", ["12", "0", "-1", "abc", "2.5", "١"])
def test_a_page_number_that_names_no_page_is_not_found(visitor: Browser, page: str) -> None:
    response = visitor.get(f"/services?page={page}")

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_page_one_exists_when_nothing_matches(visitor: Browser) -> None:
    html = visitor.page("/services?q=космодром")

    assert "No services match your search." in html
    assert "0 services found" in html
    assert 'class="pagination"' not in html
    assert visitor.get("/services?q=космодром&page=2").status_code == 404


def test_page_links_keep_the_search_and_the_filters(visitor: Browser, big: Platform) -> None:
    filters = CatalogFilters(query="no.", availability="online")
    expected = catalog_order(big, filters)
    assert len(expected) > 20

    first = visitor.page("/services?q=no.&availability=online&organisation=")
    following = link(first, "next")
    assert following == "/services?q=no.&availability=online&page=2"
    second = visitor.page(following)
    assert listed(first) + listed(second) == expected[:40]
    assert 'value="online" selected' in second and 'value="no."' in second
    assert link(second, "prev") == "/services?q=no.&availability=online"


def test_pages_in_ukrainian(visitor: Browser) -> None:
    html = visitor.page("/services?page=2&lang=uk")

    assert f"Показано 21–40 з {TOTAL} послуг" in html
    assert 'aria-label="Сторінки результатів"' in html
    assert 'Попередня<span class="visually-hidden"> сторінка</span>' in html
    assert 'Наступна<span class="visually-hidden"> сторінка</span>' in html
    assert 'aria-label="Сторінка 2" aria-current="page"' in html


def test_the_home_page_counts_services_with_one_query(visitor: Browser, big: Platform) -> None:
    visitor.page("/")
    with counting(big.engine) as statements:
        html = visitor.page("/")

    assert f"See all {TOTAL} services" in html
    assert 'href="/services?category=%D0%94%D0%BE%D0%B2%D1%96%D0%B4%D0%BA%D0%B8"' in html  # Довідки
    assert selects(statements.sent) == 2  # the count and the categories


@pytest.mark.parametrize(
    "url",
    ["/services", "/services?page=6", "/services?page=11", "/services?q=довідка", "/services?category=Довідки"],
)
def test_a_catalog_page_costs_the_same_few_queries_however_big_the_catalog(
    visitor: Browser, big: Platform, anonymous: Browser, platform: Platform, url: str
) -> None:
    visitor.page(url)
    with counting(big.engine) as statements:
        visitor.page(url)
    with counting(platform.engine) as small:  # the seven demo services only
        anonymous.page(url.replace("page=11", "page=1").replace("page=6", "page=1"))

    assert selects(statements.sent) == selects(small.sent) == 4  # count, page, categories, organisations


def test_the_service_page_reads_one_row_and_not_the_diagram(visitor: Browser, big: Platform) -> None:
    visitor.page("/services/family_composition_certificate")
    with counting(big.engine) as statements:
        html = visitor.page("/services/family_composition_certificate?lang=en")

    assert "Certificate listing the persons registered" in html
    assert selects(statements.sent) == 1
    assert "bpmn_xml" not in statements.sent[-1] and "manifest_json" not in statements.sent[-1]
