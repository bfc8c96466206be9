"""Deployed services: each BPMN file's versions and the engine specs they run on."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, clock_now

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
# Latin letters that look like Cyrillic ones, typed by mistake on a mixed keyboard.
_LOOKALIKES = str.maketrans({"a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у"})


def normalise_search(text: str) -> str:
    """Search text and typed queries alike: NFC, casefolded, one apostrophe, Cyrillic for look-alikes, single spaces.

    Stored per version (`ServiceVersion.search_text`): a change here needs a migration that recomputes it.
    """
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    return " ".join(text.translate(_LOOKALIKES).split())


class ProcessSpec(Base):
    """A serialized engine spec, stored once by content hash and shared by every version and case using it."""

    __tablename__ = "process_spec"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    spec_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)


class Service(Base):
    """A catalog entry; `process_id` is the BPMN process id and never changes."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), unique=True)
    source_path: Mapped[str] = mapped_column(String(500))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_version.id", use_alter=True, name="fk_service_current_version"), nullable=True
    )

    versions: Mapped[list[ServiceVersion]] = relationship(
        back_populates="service", foreign_keys="ServiceVersion.service_id", order_by="ServiceVersion.number"
    )
    current_version: Mapped[ServiceVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ServiceVersion(Base):
    """One content of a service: a studio draft, or a published (immutable) or retired version.

    Applications stay on the version they started on; the catalog offers `Service.current_version`.
    """

    __tablename__ = "service_version"
    __table_args__ = (UniqueConstraint("service_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_digest: Mapped[str] = mapped_column(String(64), index=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    manifest_json: Mapped[str] = mapped_column(Text)  # "{}" for a draft whose diagram cannot be read
    spec_digest: Mapped[str | None] = mapped_column(ForeignKey("process_spec.digest"), nullable=True)
    title: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500), default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    description_en_html: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    organisation_slug: Mapped[str] = mapped_column(String(64), default="", index=True)
    sla_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    availability: Mapped[str] = mapped_column(String(20), default="online")
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock_now)
    deployed_by: Mapped[str] = mapped_column(String(150), default="")
    status: Mapped[str] = mapped_column(String(20), default=VersionStatus.PUBLISHED.value)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_by: Mapped[str] = mapped_column(String(150), default="")
    problems_json: Mapped[str] = mapped_column(Text, default="[]")
    search_text: Mapped[str] = mapped_column(Text, default="")
    """normalise_search of the titles and the category, kept current on every flush; the catalog matches it in SQL."""

    service: Mapped[Service] = relationship(back_populates="versions", foreign_keys=[service_id])


@event.listens_for(ServiceVersion, "before_insert")
@event.listens_for(ServiceVersion, "before_update")
def _fill_search_text(_mapper: Any, _connection: Any, version: ServiceVersion) -> None:
    """Every writer (deploy, the studio's drafts and publications) keeps the search text in step with the titles."""
    version.search_text = normalise_search(f"{version.title} {version.title_en or ''} {version.category or ''}")
