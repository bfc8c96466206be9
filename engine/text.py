"""Markdown from diagrams to sanitised HTML: analysts write Markdown, citizens get safe markup."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "blockquote", "code", "pre", "br", "hr"}
_TAGS |= {"table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str) -> str:
    html = _MD.render(text or "")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


_STATIC_TAGS = _TAGS | {"b", "i", "u", "span", "div", "small", "sup", "sub"}


def clean_html(html: str) -> str:
    """Static HTML written into a diagram (iGov's ``label`` fields) as safe markup: no scripts, styles or events."""
    return nh3.clean(
        html or "",
        tags=_STATIC_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
