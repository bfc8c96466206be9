"""Every UI string has a Ukrainian translation, no entry is fuzzy or unused, and placeholders match."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "webapp" / "translations" / "uk" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def extracted() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "webapp", METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**.html": {"trimmed": "true"}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog():  # type: ignore[no-untyped-def]
    with PO.open("rb") as handle:
        return read_po(handle, locale="uk")


def test_every_ui_string_is_translated_into_ukrainian() -> None:
    po = catalog()
    missing = sorted(m for m in extracted() if not (po.get(m) and _translated(po.get(m))))
    assert missing == []


def test_no_fuzzy_or_unused_entries() -> None:
    po = catalog()
    used = extracted()
    assert sorted(m.id for m in po if m.id and m.fuzzy) == []
    assert sorted(str(m.id) for m in po if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in used) == []


def test_placeholders_match_and_plurals_have_three_forms() -> None:
    po = catalog()
    assert po.num_plurals == 3
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= expected | set(PLACEHOLDER.findall(ids[-1])), message.id


def _translated(message) -> bool:  # type: ignore[no-untyped-def]
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(s.strip() for s in strings)
