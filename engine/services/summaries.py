"""A service as the catalog and every page that names it show it (plain data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSummary:
    id: str
    title: str
    title_en: str
    version: int
    organisation: str
    organisation_name: str
    category: str
    availability: str
    sla_days: int | None
    description_html: str = ""
    description_en_html: str = ""

    def title_in(self, locale: str) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title

    def description_in(self, locale: str) -> str:
        return self.description_en_html if locale == "en" and self.description_en_html else self.description_html
