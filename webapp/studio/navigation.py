"""Sending the analyst back where they came from, but only to a page of this site."""

from __future__ import annotations

from flask import request


def same_site(url: str | None) -> bool:
    return bool(url) and url is not None and url.startswith(request.host_url)


def back_or(default: str) -> str:
    """The referring page when it belongs to this site, else `default`."""
    return request.referrer if same_site(request.referrer) and request.referrer else default
