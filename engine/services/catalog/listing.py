"""The service catalog: what citizens can apply for, filtered, searched and paged in the database.

A page costs a COUNT and a SELECT of narrow columns, however many services there are. Search matches every typed
word inside the version's stored search text (engine.models.catalog.normalise_search: apostrophes, Latin
look-alikes, case), so SQLite and PostgreSQL find the same services.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest
from engine.models import ServiceVersion
from engine.models.catalog import normalise_search
from engine.services.cases.views import manifest_of
from engine.services.errors import NotFoundError
from engine.services.summaries import ServiceSummary
from engine.store import catalog, directory, organisation_tree
from engine.store.catalog import AVAILABILITY_ORDER, CatalogEntry, CatalogQuery

AVAILABILITIES = AVAILABILITY_ORDER
"""What a service's availability can be, in catalog order (online first)."""

__all__ = [
    "AVAILABILITIES",
    "CatalogFilters",
    "CatalogPage",
    "categories",
    "count_services",
    "filter_choices",
    "get_service",
    "list_services",
    "normalise_search",
    "organisations",
    "search_services",
    "service_page",
    "summary_of",
]


@dataclass(frozen=True)
class CatalogFilters:
    query: str = ""
    category: str = ""
    organisation: str = ""
    """An organisation's slug: its services and those of the organisations below it."""
    region: str = ""
    availability: str = ""

    @property
    def active(self) -> bool:
        return bool(self.query or self.category or self.organisation or self.region or self.availability)

    def to_query(self) -> CatalogQuery:
        words = tuple(dict.fromkeys(normalise_search(self.query).split()))
        return CatalogQuery(
            words=words,
            category=self.category,
            organisation=self.organisation,
            region=self.region,
            availability=self.availability,
        )


@dataclass(frozen=True)
class OrganisationChoice:
    """An organisation of the catalog filter, in tree order (`depth` 0 at the top)."""

    slug: str
    name: str
    name_en: str
    depth: int

    def name_in(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


@dataclass(frozen=True)
class CatalogPage:
    """One page of matching services; `total` counts every match. Page 1 always exists, even with no match."""

    services: list[ServiceSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def exists(self) -> bool:
        return 1 <= self.page <= self.pages

    @property
    def first(self) -> int:
        """The position of the page's first service among all matches (1-based; 0 on an empty page)."""
        return (self.page - 1) * self.per_page + 1 if self.services else 0

    @property
    def last(self) -> int:
        return self.first + len(self.services) - 1 if self.services else 0


def _summary(entry: CatalogEntry) -> ServiceSummary:
    return ServiceSummary(
        id=entry.process_id,
        title=entry.title,
        title_en=entry.title_en,
        version=entry.number,
        organisation=entry.organisation_slug,
        organisation_name=entry.organisation_name,
        category=entry.category,
        availability=entry.availability,
        sla_days=entry.sla_days,
        description_html=entry.description_html,
        description_en_html=entry.description_en_html,
    )


def search_services(
    db: Session, filters: CatalogFilters | None = None, *, page: int = 1, per_page: int = 20
) -> CatalogPage:
    """One page of the catalog (online services first, then by title); a page past the last comes back empty."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    query = (filters or CatalogFilters()).to_query()
    total = catalog.count_offered(db, query)
    offset = (page - 1) * per_page
    entries = catalog.list_offered(db, query, offset=offset, limit=per_page) if offset < total else []
    return CatalogPage(services=[_summary(e) for e in entries], total=total, page=page, per_page=per_page)


def list_services(db: Session, filters: CatalogFilters | None = None) -> list[ServiceSummary]:
    """Every matching service in catalog order, in one statement (without descriptions)."""
    return [_summary(e) for e in catalog.list_offered(db, (filters or CatalogFilters()).to_query())]


def count_services(db: Session) -> int:
    return catalog.count_offered(db)


def categories(db: Session) -> list[str]:
    return catalog.offered_categories(db)


@dataclass(frozen=True)
class CatalogChoices:
    """What the catalog's organisation and region filters offer."""

    organisations: list[OrganisationChoice]
    regions: list[str]


def filter_choices(db: Session) -> CatalogChoices:
    """The organisations that offer a service or stand above one that does, in tree order, and the regions of those
    that offer one (one SELECT, however many services)."""
    ordered = organisation_tree.tree_order(catalog.organisations_offering(db))
    kept: list[OrganisationChoice] = []
    for index, (row, depth) in enumerate(ordered):
        below = itertools.takewhile(lambda pair: pair[1] > depth, ordered[index + 1 :])  # noqa: B023 - used at once
        if row.offers or any(o.offers for o, _depth in below):
            kept.append(OrganisationChoice(row.slug, row.name, row.name_en, depth))
    regions = sorted({row.region for row, _depth in ordered if row.offers and row.region})
    return CatalogChoices(kept, regions)


def organisations(db: Session) -> list[OrganisationChoice]:
    return filter_choices(db).organisations


@dataclass(frozen=True)
class OrganisationContacts:
    """How a citizen reaches the organisation that provides a service, in both languages."""

    name: str
    name_en: str
    address: str
    address_en: str
    phone: str
    email: str
    working_hours: str
    working_hours_en: str

    @property
    def any(self) -> bool:
        return bool(self.address or self.phone or self.email or self.working_hours)

    def name_in(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name

    def address_in(self, locale: str) -> str:
        return self.address_en if locale == "en" and self.address_en else self.address

    def working_hours_in(self, locale: str) -> str:
        return self.working_hours_en if locale == "en" and self.working_hours_en else self.working_hours


def service_page(db: Session, service_id: str) -> tuple[ServiceSummary, OrganisationContacts]:
    """One service as the catalog offers it, with its descriptions and how to reach its organisation (one
    statement, no diagram read)."""
    found = catalog.list_offered(db, CatalogQuery(process_id=service_id), limit=1, descriptions=True)
    if not found:
        raise NotFoundError(service_id)
    entry = found[0]
    contacts = OrganisationContacts(
        name=entry.organisation_name,
        name_en=entry.organisation_name_en,
        address=entry.address,
        address_en=entry.address_en,
        phone=entry.phone,
        email=entry.email,
        working_hours=entry.working_hours,
        working_hours_en=entry.working_hours_en,
    )
    return _summary(entry), contacts


def summary_of(db: Session, version: ServiceVersion) -> ServiceSummary:
    """Any version (an application's, perhaps no longer offered) as a summary."""
    organisation = directory.find_organisation(db, version.organisation_slug) if version.organisation_slug else None
    return ServiceSummary(
        id=version.service.process_id,
        title=version.title,
        title_en=version.title_en,
        version=version.number,
        organisation=version.organisation_slug,
        organisation_name=organisation.name if organisation else version.organisation_slug,
        category=version.category,
        availability=version.availability,
        sla_days=version.sla_days,
        description_html=version.description_html,
        description_en_html=version.description_en_html,
    )


def get_service(db: Session, service_id: str) -> tuple[ServiceSummary, ServiceManifest]:
    """The offered service with its manifest (reads the version row; pages that only show it use service_page)."""
    service = catalog.find_service(db, service_id)
    if service is None or service.current_version is None:
        raise NotFoundError(service_id)
    return summary_of(db, service.current_version), manifest_of(service.current_version)
