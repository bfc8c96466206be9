"""Figures of one bench run: each value beside its goal and a verdict, printed as a table or as JSON."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ms(seconds: float) -> float:
    return seconds * 1000.0


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as took: ...` → took[0] is the wall time of the block in seconds."""
    took: list[float] = []
    started = time.perf_counter()
    try:
        yield took
    finally:
        took.append(time.perf_counter() - started)


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


@dataclass
class Goal:
    """`value <= limit` (every goal of issue 8 is an upper bound); `text` is how the goal is printed."""

    limit: float
    text: str

    def met(self, value: float) -> bool:
        return value <= self.limit


@dataclass
class Figure:
    section: str
    name: str
    value: float | None
    unit: str
    goal: Goal | None = None
    note: str = ""
    decimals: int = 1
    skipped: bool = False  # not measured on purpose (no PostgreSQL, a shorter run): no verdict either way

    @property
    def verdict(self) -> str:
        if self.skipped:
            return "skipped"
        if self.goal is None:
            return ""
        if self.value is None:
            return "short"  # not measured because the run failed before it: the goal is not met
        return "met" if self.goal.met(self.value) else "short"

    def shown(self) -> str:
        if self.value is None:
            return "—"
        if self.unit == "×":
            return f"{self.value:.2f}×"
        number = f"{self.value:,.{self.decimals}f}"
        return f"{number} {self.unit}".strip()

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "goal": self.goal.text if self.goal else None,
            "limit": self.goal.limit if self.goal else None,
            "verdict": self.verdict or None,
            "note": self.note or None,
            "skipped": self.skipped,
        }


@dataclass
class Report:
    """Everything one run printed: the machine, the figures and notes per section, and the raw samples."""

    machine: dict[str, Any]
    options: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def note(self, section: str, text: str) -> None:
        self.notes.setdefault(section, []).append(text)

    def as_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "options": self.options,
            "figures": [f.as_json() for f in self.figures],
            "notes": self.notes,
            "details": self.details,
        }

    def table(self, titles: dict[str, str]) -> str:
        lines = [_machine_lines(self.machine, self.options)]
        sections = list(dict.fromkeys([*(f.section for f in self.figures), *self.notes]))
        width = max([len(f.name) for f in self.figures] + [20])
        for section in sections:
            lines.append("")
            lines.append(titles.get(section, section))
            lines.append("-" * len(titles.get(section, section)))
            rows = [f for f in self.figures if f.section == section]
            if rows:
                lines.append(f"  {'figure':<{width}}  {'value':>12}  {'goal':<10}  result")
            for row in rows:
                goal = row.goal.text if row.goal else ""
                note = f"  ({row.note})" if row.note else ""
                lines.append(f"  {row.name:<{width}}  {row.shown():>12}  {goal:<10}  {row.verdict}{note}".rstrip())
            lines.extend(f"  note: {text}" for text in self.notes.get(section, []))
        met = sum(1 for f in self.figures if f.verdict == "met")
        short = sum(1 for f in self.figures if f.verdict == "short")
        lines.append("")
        lines.append(f"goals: {met} met, {short} short")
        return "\n".join(lines)


def _machine_lines(machine: dict[str, Any], options: dict[str, Any]) -> str:
    keys = ("date", "cpu", "cores", "memory", "python", "sqlite", "postgresql", "spiffworkflow", "os", "commit", "load")
    shown = [f"  {key:<14} {machine[key]}" for key in keys if machine.get(key) not in (None, "")]
    settings = ", ".join(f"{k}={v}" for k, v in options.items())
    return "\n".join(["Posluhy bench", *shown, f"  {'run':<14} {settings}"])
