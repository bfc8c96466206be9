"""Search and filters in SQL find exactly what the Python filter of earlier releases found, on both databases."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.db import unit_of_work
from engine.models import Organisation, Service, ServiceVersion, VersionStatus
from engine.services.catalog.listing import (
    CatalogFilters,
    categories,
    list_services,
    organisations,
    search_services,
)
from engine.services.context import Platform
from engine.services.studio.drafts import publish, update_process_properties
from tests.fixtures.catalog.catalogs import catalog_database, catalog_settings, deploy_catalog

# The Python filter main had before issue 8, kept here as the reference the SQL must match.
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
_LOOKALIKES = str.maketrans({"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у"})


def old_normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    return " ".join(text.translate(_LOOKALIKES).split())


def offered(db: Session) -> list[ServiceVersion]:
    return list(
        db.scalars(
            select(ServiceVersion)
            .join(Service, Service.current_version_id == ServiceVersion.id)
            .where(ServiceVersion.status == VersionStatus.PUBLISHED.value)
            .options(joinedload(ServiceVersion.service))
            .order_by(ServiceVersion.title)
        )
    )


def at_or_below(db: Session, slug: str) -> set[str]:
    """The organisation's slug and those below it, walked in Python (the reference for the SQL walk)."""
    everyone = list(db.scalars(select(Organisation)))
    found = {o.id for o in everyone if o.slug == slug}
    while grown := {o.id for o in everyone if o.parent_id in found} - found:
        found |= grown
    return {o.slug for o in everyone if o.id in found} | {slug}


def old_list(db: Session, filters: CatalogFilters) -> list[str]:
    needle = old_normalise(filters.query)
    found = []
    along = at_or_below(db, filters.organisation) if filters.organisation else set()
    regions = {o.slug: o.region for o in db.scalars(select(Organisation))}
    for version in offered(db):
        if filters.category and version.category != filters.category:
            continue
        if filters.organisation and version.organisation_slug not in along:
            continue
        if filters.region and regions.get(version.organisation_slug) != filters.region:
            continue
        if filters.availability and version.availability != filters.availability:
            continue
        haystack = old_normalise(f"{version.title} {version.title_en} {version.category}")
        if needle and not all(word in haystack for word in needle.split()):
            continue
        found.append(version)
    order = {"online": 0, "soon": 1, "in_work": 2}
    return [v.service.process_id for v in sorted(found, key=lambda v: (order.get(v.availability, 3), v.title))]


def old_organisations(db: Session) -> list[tuple[str, str, int]]:
    """(slug, name, depth) of the offering organisations and those above them, depth first, siblings by name."""
    slugs = {v.organisation_slug for v in offered(db) if v.organisation_slug}
    known = list(db.scalars(select(Organisation).order_by(Organisation.name)))
    kept = {o.slug for o in known if at_or_below(db, o.slug) & slugs}

    def walk(parent_id: int | None, depth: int) -> list[tuple[str, str, int]]:
        rows = []
        for o in known:
            if o.parent_id == parent_id and o.slug in kept:
                rows += [(o.slug, o.name, depth), *walk(o.id, depth + 1)]
        return rows

    return walk(None, 0)


QUERIES = [
    "",
    "довідка",
    "ДОВІДКА",
    "дoвiдкa",  # Latin o, i and a typed on a mixed keyboard
    "склад сім'ї",
    "склад сім’ї",  # U+2019
    "сімʼї",  # U+02BC
    "сім`ї",
    "certificate",
    "Certificate Lubny",
    "permit for",
    "соціальний",
    "реєстрація місця проживання",
    "№1",
    "no. 12",
    "довідка лубни",
    "космодром",
    "%",
    "_",
    "a_b",
    "100%",
]
FILTERS = [
    CatalogFilters(category="Довідки"),
    CatalogFilters(category="Соціальний захист"),
    CatalogFilters(category="Немає такої"),
    CatalogFilters(organisation="lubny-council"),
    CatalogFilters(organisation="myrhorod-council", query="довідка"),
    CatalogFilters(availability="online"),
    CatalogFilters(availability="soon", category="Дозволи"),
    CatalogFilters(availability="in_work", organisation="poltava-oda", query="for"),
    CatalogFilters(organisation="poltava-oda"),  # the oblast: every service below it too
    CatalogFilters(organisation="lubny-district"),  # offers nothing itself; its council does
    CatalogFilters(organisation="lubny-cnap-office"),
    CatalogFilters(region="Полтавська область"),
    CatalogFilters(region="Київська область"),
]


@pytest.fixture(
    scope="module",
    params=[
        ("sqlite", 0),
        ("sqlite", 200),
        pytest.param(("postgres", 0), marks=pytest.mark.postgres),
        pytest.param(("postgres", 200), marks=pytest.mark.postgres),
    ],
    ids=["sqlite-demo", "sqlite-200", "postgres-demo", "postgres-200"],
)
def catalog(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    kind, generated = request.param
    folder = tmp_path_factory.mktemp(f"catalog-{kind}-{generated}")
    with catalog_database(kind, folder) as url:
        platform = deploy_catalog(catalog_settings(url, folder), generated=generated)
        yield platform
        platform.engine.dispose()


def read(platform: Platform, call: Any) -> Any:
    with unit_of_work(platform.read_sessions) as db:
        return call(db)


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_what_the_python_filter_found(catalog: Platform, query: str) -> None:
    filters = CatalogFilters(query=query)
    expected = read(catalog, lambda db: old_list(db, filters))
    assert [s.id for s in read(catalog, lambda db: list_services(db, filters))] == expected
    found = read(catalog, lambda db: search_services(db, filters, page=1, per_page=1000))
    assert (found.total, [s.id for s in found.services]) == (len(expected), expected)


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_filters_find_what_the_python_filter_found(catalog: Platform, filters: CatalogFilters) -> None:
    expected = read(catalog, lambda db: old_list(db, filters))
    assert [s.id for s in read(catalog, lambda db: list_services(db, filters))] == expected


def test_filter_choices_are_what_they_were(catalog: Platform) -> None:
    expected_categories = read(catalog, lambda db: sorted({v.category for v in offered(db) if v.category}))
    assert read(catalog, categories) == expected_categories
    choices = [(c.slug, c.name, c.depth) for c in read(catalog, organisations)]
    assert choices == read(catalog, old_organisations)


def test_the_organisation_name_comes_with_each_service(catalog: Platform) -> None:
    names = {c.slug: c.name for c in read(catalog, organisations)}
    services = read(catalog, lambda db: list_services(db))
    assert services and all(s.organisation_name == names[s.organisation] for s in services)


def test_pages_cut_the_same_order_into_pieces(catalog: Platform) -> None:
    everything = [s.id for s in read(catalog, lambda db: list_services(db))]
    pieces: list[str] = []
    for page in range(1, len(everything) // 6 + 2):
        found = read(catalog, lambda db, page=page: search_services(db, page=page, per_page=6))
        assert found.total == len(everything)
        pieces += [s.id for s in found.services]
    assert pieces == everything


def test_a_service_renamed_in_the_studio_is_found_by_its_new_titles(platform: Platform, actor_of: Any) -> None:
    analyst = actor_of("analyst")
    with unit_of_work(platform.write_sessions) as db:
        draft = update_process_properties(
            db, analyst, "housing_subsidy", 1, {"title": "Житлова субсидія (нова назва)", "title_en": "Rent grant"}
        )
        publish(db, analyst, "housing_subsidy", draft.number)

    def found(query: str) -> list[str]:
        return [s.id for s in read(platform, lambda db: list_services(db, CatalogFilters(query=query)))]

    assert found("нова назва") == ["housing_subsidy"]
    assert found("rent grant") == ["housing_subsidy"]
    assert found("Призначення житлової субсидії") == []  # the old title is no longer what the catalog offers
