"""Services, their versions and the engine specs (stored once by digest).

The catalog reads only the narrow columns of the current versions (never the diagram or the manifest), with the
organisation's name joined: a page is one COUNT and one SELECT whatever the number of services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select, text
from sqlalchemy.orm import Session, joinedload

from engine.models import Organisation, ProcessSpec, Service, ServiceVersion, VersionStatus
from engine.store import organisation_tree


def find_service(db: Session, process_id: str) -> Service | None:
    return db.scalar(
        select(Service).where(Service.process_id == process_id).options(joinedload(Service.current_version))
    )


def current_version_id(db: Session, process_id: str) -> int | None:
    """The id of the version the catalog offers for the service (None: unknown service, or none published)."""
    found: int | None = db.scalar(_CURRENT_VERSION_ID, {"process_id": process_id})
    return found


_CURRENT_VERSION_ID = select(Service.current_version_id).where(Service.process_id == bindparam("process_id"))


@dataclass(frozen=True)
class CatalogQuery:
    """Which current versions to list: every word must occur in the search text; empty filters match all."""

    words: tuple[str, ...] = ()
    category: str = ""
    organisation: str = ""
    """An organisation's slug: its services and those of every organisation below it in the tree."""
    region: str = ""
    availability: str = ""
    process_id: str = ""


class CatalogEntry(NamedTuple):
    """A current version as the catalog shows it (descriptions only when asked for)."""

    process_id: str
    number: int
    title: str
    title_en: str
    organisation_slug: str
    organisation_name: str
    category: str
    availability: str
    sla_days: int | None
    description_html: str = ""
    description_en_html: str = ""
    organisation_name_en: str = ""
    address: str = ""
    address_en: str = ""
    phone: str = ""
    email: str = ""
    working_hours: str = ""
    working_hours_en: str = ""


AVAILABILITY_ORDER = ("online", "soon", "in_work")


_CONTACT_COLUMNS = (
    Organisation.name_en,
    Organisation.address,
    Organisation.address_en,
    Organisation.phone,
    Organisation.email,
    Organisation.working_hours,
    Organisation.working_hours_en,
)


def _code_point_order(db: Session, column: Any) -> Any:
    """Order text by code point on both databases (SQLite's BINARY; PostgreSQL's locale collation would differ)."""
    return column.collate("C") if db.get_bind().dialect.name == "postgresql" else column


def _offered() -> ColumnElement[bool]:
    """The join condition from a service to what the catalog offers: its current version, when published."""
    return (Service.current_version_id == ServiceVersion.id) & (ServiceVersion.status == VersionStatus.PUBLISHED.value)


def _filtered(statement: Select[Any], query: CatalogQuery) -> Select[Any]:
    for word in query.words:
        statement = statement.where(ServiceVersion.search_text.contains(word, autoescape=True))
    if query.category:
        statement = statement.where(ServiceVersion.category == query.category)
    if query.organisation:
        statement = statement.where(
            ServiceVersion.organisation_slug.in_(organisation_tree.slugs_at_or_below_query(query.organisation))
        )
    if query.region:
        in_region = select(Organisation.slug).where(Organisation.region == query.region)
        statement = statement.where(ServiceVersion.organisation_slug.in_(in_region))
    if query.availability:
        statement = statement.where(ServiceVersion.availability == query.availability)
    if query.process_id:
        statement = statement.where(Service.process_id == query.process_id)
    return statement


def count_offered(db: Session, query: CatalogQuery | None = None) -> int:
    """How many current published versions match: one COUNT."""
    statement = _filtered(
        select(func.count()).select_from(Service).join(ServiceVersion, _offered()), query or CatalogQuery()
    )
    return db.scalar(statement) or 0


def list_offered(
    db: Session,
    query: CatalogQuery | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
    descriptions: bool = False,
) -> list[CatalogEntry]:
    """Current published versions, online first, then by title (code point order) and process id: one SELECT."""
    columns: list[Any] = [
        Service.process_id,
        ServiceVersion.number,
        ServiceVersion.title,
        ServiceVersion.title_en,
        ServiceVersion.organisation_slug,
        func.coalesce(Organisation.name, ServiceVersion.organisation_slug),
        ServiceVersion.category,
        ServiceVersion.availability,
        ServiceVersion.sla_days,
    ]
    if descriptions:  # one service's page: with how to reach its organisation
        columns += [ServiceVersion.description_html, ServiceVersion.description_en_html]
        columns += [func.coalesce(column, "") for column in _CONTACT_COLUMNS]
    rank = case(
        *((ServiceVersion.availability == value, index) for index, value in enumerate(AVAILABILITY_ORDER)),
        else_=len(AVAILABILITY_ORDER),
    )
    statement = (
        select(*columns)
        .select_from(Service)
        .join(ServiceVersion, _offered())
        .outerjoin(Organisation, Organisation.slug == ServiceVersion.organisation_slug)
    )
    statement = _filtered(statement, query or CatalogQuery()).order_by(
        rank, _code_point_order(db, ServiceVersion.title), Service.process_id
    )
    statement = statement.offset(offset).limit(limit)
    return [CatalogEntry(*row) for row in db.execute(statement)]


def offered_categories(db: Session) -> list[str]:
    """The categories of the current published versions, in code point order: one SELECT."""
    column = ServiceVersion.category
    statement = (
        select(column)
        .select_from(Service)
        .join(ServiceVersion, _offered())
        .where(column != "")
        .group_by(column)
        .order_by(_code_point_order(db, column))
    )
    return list(db.scalars(statement))


class OrganisationRow(NamedTuple):
    """An organisation for the catalog filter; `offers` when it has a current published version."""

    id: int
    parent_id: int | None
    slug: str
    name: str
    name_en: str
    region: str
    offers: bool


def organisations_offering(db: Session) -> list[OrganisationRow]:
    """Every active organisation, by name, each saying whether it offers a service: one SELECT."""
    offering = select(ServiceVersion.organisation_slug).select_from(Service).join(ServiceVersion, _offered())
    statement = (
        select(
            Organisation.id,
            Organisation.parent_id,
            Organisation.slug,
            Organisation.name,
            Organisation.name_en,
            Organisation.region,
            Organisation.slug.in_(offering),
        )
        .where(Organisation.active.is_(True))
        .order_by(_code_point_order(db, Organisation.name), Organisation.slug)
    )
    return [OrganisationRow(*row[:6], bool(row[6])) for row in db.execute(statement)]


def published_contents(db: Session) -> set[tuple[str, str]]:
    """(process id, content digest) of every version ever published, retired ones too: deploy skips these files."""
    statement = (
        select(Service.process_id, ServiceVersion.content_digest)
        .join(ServiceVersion, ServiceVersion.service_id == Service.id)
        .where(ServiceVersion.status != VersionStatus.DRAFT.value)
    )
    return {(process_id, digest) for process_id, digest in db.execute(statement)}


def get_version(db: Session, version_id: int) -> ServiceVersion | None:
    return db.get(ServiceVersion, version_id)


def get_spec_json(db: Session, digest: str | None) -> str:
    """A draft saved with errors has no spec: LookupError, as for a missing one."""
    spec = db.get(ProcessSpec, digest) if digest else None
    if spec is None:
        raise LookupError(f"engine spec {digest} is missing")
    return spec.spec_json


def ensure_spec(db: Session, digest: str, spec_json: str) -> None:
    if db.get(ProcessSpec, digest) is None:
        db.add(ProcessSpec(digest=digest, spec_json=spec_json))
        db.flush()


def add_service(db: Session, service: Service) -> None:
    db.add(service)
    db.flush()


def content_was_published(db: Session, service_id: int, content_digest: str) -> bool:
    """Whether this content was ever published for the service (a file deployed again must not undo the studio)."""
    return (
        db.scalar(
            select(ServiceVersion.id)
            .where(
                ServiceVersion.service_id == service_id,
                ServiceVersion.content_digest == content_digest,
                ServiceVersion.status != VersionStatus.DRAFT.value,
            )
            .limit(1)
        )
        is not None
    )


def next_version_number(db: Session, service_id: int) -> int:
    highest = db.scalar(select(func.max(ServiceVersion.number)).where(ServiceVersion.service_id == service_id))
    return (highest or 0) + 1


def add_version(db: Session, version: ServiceVersion) -> None:
    db.add(version)
    db.flush()


DEPLOY_LOCK_KEY = 7_305_001


def lock_deployments(db: Session) -> None:
    """Serialise deploys across hosts (PostgreSQL advisory lock; SQLite writers are serialised already)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEPLOY_LOCK_KEY})


def list_services(db: Session) -> Sequence[Service]:
    """Every service, drafts-only ones too, by process id (administrators' choices)."""
    return db.scalars(select(Service).options(joinedload(Service.current_version)).order_by(Service.process_id)).all()


def get_service(db: Session, service_id: int) -> Service | None:
    return db.get(Service, service_id)


@dataclass(frozen=True)
class VersionRow:
    """What running a case needs of its service version: never the diagram text itself."""

    id: int
    service_id: int
    process_id: str
    number: int
    spec_digest: str | None
    manifest_json: str
    title: str
    title_en: str
    organisation_slug: str
    category: str
    availability: str
    sla_days: int | None
    description_html: str
    description_en_html: str


def version_row(db: Session, version_id: int) -> VersionRow | None:
    row = db.execute(
        select(
            ServiceVersion.id,
            ServiceVersion.service_id,
            Service.process_id,
            ServiceVersion.number,
            ServiceVersion.spec_digest,
            ServiceVersion.manifest_json,
            ServiceVersion.title,
            ServiceVersion.title_en,
            ServiceVersion.organisation_slug,
            ServiceVersion.category,
            ServiceVersion.availability,
            ServiceVersion.sla_days,
            ServiceVersion.description_html,
            ServiceVersion.description_en_html,
        )
        .join(Service, Service.id == ServiceVersion.service_id)
        .where(ServiceVersion.id == version_id)
    ).one_or_none()
    return VersionRow(**row._asdict()) if row is not None else None
