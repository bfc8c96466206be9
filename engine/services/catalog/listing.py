"""The service catalog: what citizens can apply for, filtered and searched."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.bpmn.manifest import ServiceManifest
from engine.models import ServiceVersion
from engine.services.cases.views import manifest_of
from engine.services.errors import NotFoundError
from engine.services.summaries import ServiceSummary
from engine.store import catalog, directory

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
# Latin letters that look like Cyrillic ones, typed by mistake on a mixed keyboard.
_LOOKALIKES = str.maketrans({"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у"})


def normalise_search(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    return " ".join(text.translate(_LOOKALIKES).split())


@dataclass(frozen=True)
class CatalogFilters:
    query: str = ""
    category: str = ""
    organisation: str = ""
    availability: str = ""


def summary_of(db: Session, version: ServiceVersion) -> ServiceSummary:
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


def list_services(db: Session, filters: CatalogFilters | None = None) -> list[ServiceSummary]:
    filters = filters or CatalogFilters()
    needle = normalise_search(filters.query)
    found = []
    for version in catalog.current_versions(db):
        if filters.category and version.category != filters.category:
            continue
        if filters.organisation and version.organisation_slug != filters.organisation:
            continue
        if filters.availability and version.availability != filters.availability:
            continue
        haystack = normalise_search(f"{version.title} {version.title_en} {version.category}")
        if needle and not all(word in haystack for word in needle.split()):
            continue
        found.append(summary_of(db, version))
    order = {"online": 0, "soon": 1, "in_work": 2}
    return sorted(found, key=lambda s: (order.get(s.availability, 3), s.title))


def categories(db: Session) -> list[str]:
    return sorted({v.category for v in catalog.current_versions(db) if v.category})


def organisations(db: Session) -> list[tuple[str, str]]:
    """(slug, name) of every organisation that offers at least one service."""
    slugs = {v.organisation_slug for v in catalog.current_versions(db) if v.organisation_slug}
    return sorted(((o.slug, o.name) for o in directory.list_organisations(db) if o.slug in slugs), key=lambda x: x[1])


def get_service(db: Session, service_id: str) -> tuple[ServiceSummary, ServiceManifest]:
    service = catalog.find_service(db, service_id)
    if service is None or service.current_version is None:
        raise NotFoundError(service_id)
    return summary_of(db, service.current_version), manifest_of(service.current_version)
