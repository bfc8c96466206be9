"""Which of the platform's groups gets a task that an iGov diagram gives to an iGov group.

iGov diagrams name iGov's own Activiti groups (``zhitomir_mvk_1``, ``dnepr_cnap_<office>``). The mapping file
(default ``engine/demo/igov_groups.json``, or the file named by ``POSLUHY_IGOV_GROUPS``) maps them to group
slugs of our directory::

    {"groups": {"zhitomir_mvk_1": "lubny-cnap", "dnepr_cnap_*": "myrhorod-cnap"}}

A key is an exact iGov group name, or a prefix when it ends with ``*`` (the longest matching prefix wins; an
exact name wins over any prefix). Keys starting with ``_`` are comments. The value ``@organisation`` (for a
prefix) reads the rest of the name as one of our organisations (its slug, as iGov's office picker
``sID_Public_SubjectOrganJoin`` gives it here): ``"cnap_*": "@organisation"`` sends ``cnap_lubny-council`` to
Lubny's first group. A name the mapping does not know goes to the first group (not a supervisors' group) of the
service's organisation; `posluhy check` warns about such names when it can see them (literal names, and
templates whose fixed beginning no prefix covers).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from engine.paths import DEMO_DIR

ORGANISATION: Final = "@organisation"
"""A prefix rule's value: the rest of the name is an organisation slug (the task goes to its first group)."""
DEFAULT_MAPPING_FILE: Final = DEMO_DIR / "igov_groups.json"
ENV_VARIABLE: Final = "POSLUHY_IGOV_GROUPS"

__all__ = [
    "DEFAULT_MAPPING_FILE",
    "ORGANISATION",
    "GroupMapping",
    "GroupMappingError",
    "load_group_mapping",
    "mapping_file",
    "organisation_of",
]


class GroupMappingError(ValueError):
    """The mapping file is not what the module docstring describes."""


@dataclass(frozen=True)
class GroupMapping:
    exact: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]
    """(prefix, slug), longest prefix first."""

    def slug_for(self, igov_group: str) -> str | None:
        """Our group slug for an iGov group name, or None when the mapping does not know it.

        For an ``@organisation`` rule the result is ``@organisation:<organisation slug>``: the caller picks that
        organisation's first group (see :func:`organisation_of`).
        """
        name = igov_group.strip()
        if name in self.exact:
            return self.exact[name]
        for prefix, slug in self.prefixes:
            if name.startswith(prefix):
                return f"{ORGANISATION}:{name[len(prefix) :]}" if slug == ORGANISATION else slug
        return None

    def covers_prefix(self, beginning: str) -> bool:
        """Whether every name starting with `beginning` is mapped (a prefix rule covers it)."""
        return bool(beginning) and any(beginning.startswith(prefix) for prefix, _ in self.prefixes)

    @classmethod
    def from_document(cls, document: object) -> GroupMapping:
        if not isinstance(document, dict) or not isinstance(document.get("groups", {}), dict):
            raise GroupMappingError('the mapping must be a JSON object {"groups": {"igov name": "group slug"}}')
        exact: dict[str, str] = {}
        prefixes: list[tuple[str, str]] = []
        for key, slug in document.get("groups", {}).items():
            if key.startswith("_"):
                continue
            if not isinstance(slug, str) or not slug.strip():
                raise GroupMappingError(f"iGov group {key!r} must map to a group slug (text)")
            if key.endswith("*"):
                prefixes.append((key[:-1], slug.strip()))
            else:
                exact[key] = slug.strip()
        prefixes.sort(key=lambda item: len(item[0]), reverse=True)
        return cls(exact=exact, prefixes=tuple(prefixes))


def organisation_of(slug: str) -> str | None:
    """The organisation slug of an ``@organisation:<slug>`` result of :meth:`GroupMapping.slug_for`, else None."""
    marker = f"{ORGANISATION}:"
    return slug[len(marker) :] if slug.startswith(marker) else None


def mapping_file() -> Path:
    configured = os.environ.get(ENV_VARIABLE)
    return Path(configured) if configured else DEFAULT_MAPPING_FILE


_cache: dict[tuple[str, float], GroupMapping] = {}


def load_group_mapping(path: Path | None = None) -> GroupMapping:
    """The mapping in `path` (default: :func:`mapping_file`); an absent file maps nothing."""
    path = path or mapping_file()
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return GroupMapping(exact={}, prefixes=())
    key = (str(path), stamp)
    if key not in _cache:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise GroupMappingError(f"cannot read the iGov group mapping {path}: {exc}") from exc
        _cache[key] = GroupMapping.from_document(document)
    return _cache[key]
