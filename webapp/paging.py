"""Page numbers in addresses, read the same way on every page."""

from __future__ import annotations

from flask import request


def history_page() -> int:
    """Which page of an application's timeline the address asks for (`?history=N`; the newest by default)."""
    raw = request.args.get("history", "1")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1


def page_number(name: str = "page") -> int:
    """Which page of a list the address asks for (`?page=N`, or another parameter's name; the first by default)."""
    raw = request.args.get(name, "1")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 100_000 else 1
