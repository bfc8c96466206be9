"""Catalog data for diagrams that cannot carry it: ``<diagram>.service.json`` next to the ``.bpmn`` file.

iGov's Activiti files have no ``camunda:properties`` (their catalog rows lived in iGov's own CSV tables), and
they must be deployed unchanged, so the platform reads the service's catalog data from a sidecar file, e.g.
``processes/igov/zhitomir_mvk-2.service.json`` for ``processes/igov/zhitomir_mvk-2.bpmn``::

    {"organisation": "lubny-council", "category": "land", "sla_days": 10, "availability": "online",
     "title_en": "Certificate ...", "description": "Markdown ...", "description_en": "..."}

Every key is optional; a value in the sidecar wins over the diagram's property of the same name. Unknown keys
and wrong types are errors reported by file, like problems in the diagram itself.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Final

from engine.bpmn.manifest import AVAILABILITY, ServiceManifest
from engine.bpmn.problems import Problem

SUFFIX: Final = ".service.json"
_TEXT_KEYS: Final = ("organisation", "category", "title_en", "description", "description_en")
_KEYS: Final = frozenset({*_TEXT_KEYS, "sla_days", "availability"})


def sidecar_path(diagram: Path) -> Path:
    """Where the catalog data of ``diagram`` lives (it may not exist)."""
    return diagram.with_name(diagram.name.removesuffix(".bpmn") + SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def read_sidecar(diagram: Path, *, display_name: str) -> tuple[dict[str, Any], bytes, list[Problem]]:
    """The sidecar's checked values, its bytes (for the version digest) and its problems; empty when absent."""
    path = sidecar_path(diagram)
    if not path.is_file():
        return {}, b"", []
    name = display_name.removesuffix(".bpmn") + SUFFIX
    raw = path.read_bytes()
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return {}, raw, [Problem(name, "", f"cannot read catalog data: {exc}")]
    if not isinstance(document, dict):
        return {}, raw, [Problem(name, "", "catalog data must be a JSON object")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in document.items():
        if key not in _KEYS:
            problems.append(Problem(name, key, f"unknown key {key!r}; expected one of {', '.join(sorted(_KEYS))}"))
        elif key in _TEXT_KEYS and not isinstance(value, str):
            problems.append(Problem(name, key, f"{key} must be text"))
        elif key == "sla_days" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            problems.append(Problem(name, key, "sla_days must be a whole number of working days"))
        elif key == "availability" and value not in AVAILABILITY:
            problems.append(Problem(name, key, f"availability must be one of {', '.join(AVAILABILITY)}"))
        else:
            values[key] = value
    return values, raw, problems


def apply_sidecar(manifest: ServiceManifest, values: dict[str, Any]) -> ServiceManifest:
    """The manifest with the sidecar's catalog data."""
    if not values:
        return manifest
    return dataclasses.replace(manifest, **values)


__all__ = ["SUFFIX", "apply_sidecar", "is_sidecar", "read_sidecar", "sidecar_path"]
