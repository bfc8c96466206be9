"""Page numbers in addresses, read the same way on every page."""

from __future__ import annotations

from flask import request


def history_page() -> int:
    """Which page of an application's timeline the address asks for (`?history=N`; the newest by default)."""
    raw = request.args.get("history", "1")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1
