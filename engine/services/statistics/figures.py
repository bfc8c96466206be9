"""The public figures: sums of the stored days over a period, per organisation (along the tree) and per service.

Median and 90th percentile come exactly from the summed histograms of working days (median: the middle value, or
the mean of the two middle ones; 90th percentile: the nearest rank, the smallest value at or above 90 % of the
cases). Counts from 1 to 4 are shown as "< 5", and nothing derived from fewer than 5 cases is shown at all.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from sqlalchemy.orm import Session

from engine.models import Organisation
from engine.store import organisation_tree, statistics

SMALL: Final = 5
SUPPRESSED: Final = "< 5"


def shown_count(value: int) -> int | str:
    """A count as published: 0 and 5 upwards as they are, 1–4 as "< 5"."""
    return SUPPRESSED if 0 < value < SMALL else value


def median(histogram: Counter[int]) -> float | None:
    total = sum(histogram.values())
    if total == 0:
        return None
    lower, upper = _nth(histogram, (total + 1) // 2), _nth(histogram, total // 2 + 1)
    return (lower + upper) / 2


def percentile_90(histogram: Counter[int]) -> int | None:
    total = sum(histogram.values())
    return None if total == 0 else _nth(histogram, math.ceil(0.9 * total))


def _nth(histogram: Counter[int], rank: int) -> int:
    """The rank-th smallest value (1-based) of the histogram."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError(rank)


@dataclass
class Tally:
    """Sums over some stored days; `figures()` turns them into what is published."""

    received: int = 0
    decided: int = 0
    with_deadline: int = 0
    within_deadline: int = 0
    rating_count: int = 0
    rating_sum: int = 0
    durations: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    """Cases by outcome name."""

    def add(self, other: Tally) -> None:
        self.received += other.received
        self.decided += other.decided
        self.with_deadline += other.with_deadline
        self.within_deadline += other.within_deadline
        self.rating_count += other.rating_count
        self.rating_sum += other.rating_sum
        self.durations.update(other.durations)
        self.outcomes.update(other.outcomes)

    def figures(self) -> Figures:
        enough = self.decided >= SMALL
        return Figures(
            received=shown_count(self.received),
            decided=shown_count(self.decided),
            median_days=median(self.durations) if enough else None,
            p90_days=percentile_90(self.durations) if enough else None,
            within_deadline_share=(
                round(self.within_deadline / self.with_deadline, 4) if self.with_deadline >= SMALL else None
            ),
            outcomes=[
                Outcome(name, shown_count(n))
                for name, n in sorted(self.outcomes.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            if enough
            else [],
            rating_count=shown_count(self.rating_count),
            rating_mean=round(self.rating_sum / self.rating_count, 2) if self.rating_count >= SMALL else None,
        )


@dataclass(frozen=True)
class Outcome:
    name: str
    cases: int | str


@dataclass(frozen=True)
class Figures:
    """What is published about a selection; None where fewer than 5 cases would be behind the figure."""

    received: int | str
    decided: int | str
    median_days: float | None
    p90_days: int | None
    within_deadline_share: float | None
    outcomes: list[Outcome]
    rating_count: int | str
    rating_mean: float | None


@dataclass(frozen=True)
class Month:
    month: str  # "2026-11"
    received: int | str
    decided: int | str


@dataclass(frozen=True)
class OrganisationRow:
    slug: str
    name: str
    name_en: str
    depth: int
    figures: Figures
    """Of the organisation and every organisation below it."""


@dataclass(frozen=True)
class ServiceRow:
    process_id: str
    title: str
    title_en: str
    figures: Figures


@dataclass(frozen=True)
class OrganisationChoice:
    slug: str
    name: str
    name_en: str
    depth: int


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    organisation: str | None
    service: str | None
    total: Figures
    months: list[Month]
    organisations: list[OrganisationRow]
    services: list[ServiceRow]
    organisation_choices: list[OrganisationChoice]
    service_choices: list[tuple[str, str, str]]


class UnknownOrganisationError(LookupError):
    """The filter names no organisation."""


def statistics_report(
    db: Session, *, start: date, end: date, organisation: str | None = None, service: str | None = None
) -> Report:
    """Every figure the statistics page, its CSV and the API publish for a period (inclusive) and filters."""
    every = organisation_tree.every_organisation(db)
    ordered = organisation_tree.tree_order(every)
    by_slug = {o.slug: o for o in every}
    selected: set[int] | None = None
    if organisation:
        root = by_slug.get(organisation)
        if root is None:
            raise UnknownOrganisationError(organisation)
        selected = {root.id, *organisation_tree.descendant_ids(db, [root.id])}
    tallies = _tallies(db, start, end, selected, service)
    total = Tally()
    per_org: dict[int, Tally] = defaultdict(Tally)
    per_service: dict[str, Tally] = defaultdict(Tally)
    for (organisation_id, process_id), tally in tallies.items():
        total.add(tally)
        per_org[organisation_id].add(tally)
        per_service[process_id].add(tally)
    titles = statistics.service_titles(db)
    return Report(
        start=start,
        end=end,
        organisation=organisation or None,
        service=service or None,
        total=total.figures(),
        months=_months(statistics.daily(db, start, end, selected, service)),
        organisations=_organisation_rows(ordered, per_org, selected),
        services=[
            ServiceRow(p, *titles.get(p, (p, "")), per_service[p].figures())
            for p in sorted(per_service, key=lambda p: titles.get(p, (p, ""))[0])
        ],
        organisation_choices=[OrganisationChoice(o.slug, o.name, o.name_en, depth) for o, depth in ordered],
        service_choices=sorted((p, t, t_en) for p, (t, t_en) in titles.items()),
    )


def _tallies(
    db: Session, start: date, end: date, selected: set[int] | None, service: str | None
) -> dict[tuple[int, str], Tally]:
    tallies: dict[tuple[int, str], Tally] = defaultdict(Tally)
    for o, p, received, decided, with_deadline, within, rating_count, rating_sum in statistics.sums(
        db, start, end, selected, service
    ):
        tally = tallies[(o, p)]
        tally.received, tally.decided = received, decided
        tally.with_deadline, tally.within_deadline = with_deadline, within
        tally.rating_count, tally.rating_sum = rating_count, rating_sum
    for o, p, _outcome, name, cases in statistics.outcome_sums(db, start, end, selected, service):
        tallies[(o, p)].outcomes[name] += cases  # by name: services reuse end event ids with other meanings
    for o, p, days, cases in statistics.duration_sums(db, start, end, selected, service):
        tallies[(o, p)].durations[days] += cases
    return tallies


def _organisation_rows(
    ordered: list[tuple[Organisation, int]],
    per_org: dict[int, Tally],
    selected: set[int] | None,
) -> list[OrganisationRow]:
    """Each organisation with cases at or below it, its figures covering its whole subtree, in tree order."""
    subtree: dict[int, Tally] = defaultdict(Tally)
    parents = {o.id: o.parent_id for o, _depth in ordered}
    for organisation_id, tally in per_org.items():
        seen: set[int] = set()
        current: int | None = organisation_id
        while current is not None and current not in seen:  # up the tree: each ancestor counts the cases too
            seen.add(current)
            subtree[current].add(tally)
            current = parents.get(current)
    rows = []
    for organisation, depth in ordered:
        below = subtree.get(organisation.id)
        if below is None or (selected is not None and organisation.id not in selected):
            continue
        rows.append(OrganisationRow(organisation.slug, organisation.name, organisation.name_en, depth, below.figures()))
    return rows


def _months(days: list[tuple[date, int, int]]) -> list[Month]:
    received: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for day, r, d in days:
        key = day.strftime("%Y-%m")
        received[key] += r
        decided[key] += d
    return [
        Month(key, shown_count(received[key]), shown_count(decided[key]))
        for key in sorted(received.keys() | decided.keys())
    ]
