"""iGov's conventions inside an Activiti ``formProperty``: the ``name`` attribute, field ids and date patterns.

``name`` is ``label; hint; key=value,key=value``: the first slot is the label, the second a hint (placeholder; a
lone space means none), the third comma-separated options. Options understood (iGov 2017 counts in brackets):
``bVisible=false`` hidden technical field (11,963), ``writable=false`` read-only (6,630), ``sID_CheckboxTrue=<id>``
enum shown as a checkbox, ``labelType=info|success|warning|danger`` style of a label; ``bNew``, ``bPrintform``,
``sID_Field_SWinEd`` and ``nRowsLimit`` only concern iGov's own storage, printing, tax-office export and table
widget and are ignored without a warning. Anything else is reported.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Final

#: Option keys that only concern iGov's own infrastructure: ignored silently.
IGNORED_OPTIONS: Final = frozenset({"bNew", "bPrintform", "sID_Field_SWinEd", "nRowsLimit"})
#: Option keys of iGov's person pickers (iDoc and 2017 'select' of users of a group).
PICKER_OPTIONS: Final = frozenset(
    {"sID_SubjectRole", "sID_Group_Activiti", "nDeepLevel", "sSelectType", "sSourceFieldID_sID_Group"}
)
_ASCII_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JAVA_DATE_CODES: Final = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"))
#: Patterns tried for a date default when the property has no ``datePattern`` (iGov wrote dd/MM/yyyy).
_DEFAULT_DATE_PATTERNS: Final = ("dd/MM/yyyy", "dd.MM.yyyy", "dd-MM-yyyy", "yyyy-MM-dd")


@dataclass
class NameParts:
    label: str
    hint: str | None
    options: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # option tokens that are not key=value


def split_name(raw: str | None) -> NameParts:
    """Split iGov's ``label; hint; k=v,...`` convention (any slot may be missing)."""
    parts = (raw or "").split(";", 2)
    label = parts[0].strip()
    hint = parts[1].strip() if len(parts) > 1 else ""
    result = NameParts(label=label, hint=hint or None)
    if len(parts) > 2:
        for raw_token in parts[2].split(","):
            token = raw_token.strip()
            if not token:
                continue
            key, equals, value = token.partition("=")
            if equals and key.strip():
                result.options[key.strip()] = value.strip()
            else:
                result.unknown.append(token)
    return result


def safe_field_name(field_id: str) -> str:
    """The field name for an iGov id: the id itself when it is an identifier, else an ASCII identifier from it.

    Identifiers with non-Latin letters (``cnapСhoice``, a Cyrillic 'С') are kept as they are, because conditions
    refer to them; ids such as ``10.1tab1`` (which no expression can refer to) become ``f_10_1tab1``.
    """
    if field_id.isidentifier():
        return field_id
    cleaned = re.sub(r"\W", "_", field_id, flags=re.ASCII)
    return cleaned if _ASCII_NAME_RE.fullmatch(cleaned) else f"f_{cleaned}"


def is_ascii_name(name: str) -> bool:
    return _ASCII_NAME_RE.fullmatch(name) is not None


def _strptime_format(java_pattern: str) -> str:
    result = java_pattern
    for java, python in _JAVA_DATE_CODES:
        result = result.replace(java, python)
    return result


def iso_date(raw: str, java_pattern: str | None) -> str | None:
    """An ISO date from a default written with ``java_pattern`` (or iGov's usual patterns); None if it is not one."""
    text = raw.strip()
    for pattern in (java_pattern,) if java_pattern else _DEFAULT_DATE_PATTERNS:
        try:
            return datetime.datetime.strptime(text, _strptime_format(pattern)).date().isoformat()
        except ValueError:
            continue
    return None
