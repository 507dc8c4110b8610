"""Feed bytes to ``ParsedFeed`` values: RSS/Atom via feedparser, JSON Feed by hand.

``parse_feed`` is a plain function over picklable values so the refresh can run it in a
worker process. It raises ``FeedError`` with a one-line reason and nothing else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from tuireader.models import FeedError, ParsedFeed
from tuireader.parse.jsonfeed import parse_json
from tuireader.parse.sniff import sniff
from tuireader.parse.xmlfeed import TOO_MUCH_MEMORY, parse_xml
from tuireader.searchtext import search_text

__all__ = ["MAX_BODY_BYTES", "parse_feed"]

#: Bigger bodies are refused outright; the HTTP client should cap downloads below this.
MAX_BODY_BYTES = 32 * 1024 * 1024

NOT_A_FEED_HTML = "not a feed: the URL returned an HTML page"


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> ParsedFeed:
    """Parse one feed document fetched from ``url`` (the base for relative links)."""
    if len(body) > MAX_BODY_BYTES:
        raise FeedError(f"feed is too large ({len(body) // (1024 * 1024)} MB)")
    if content_type is None and headers:
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    kind = sniff(body, content_type)
    if kind == "empty":
        raise FeedError("empty response")
    if kind == "html":
        raise FeedError(NOT_A_FEED_HTML)
    try:
        if kind == "json":
            parsed = parse_json(body, url=url)
        else:
            parsed = parse_xml(body, url=url, content_type=content_type, headers=headers)
        return with_search_text(parsed)
    except MemoryError as error:  # past the worker's address-space limit (refresh.py)
        raise FeedError(TOO_MUCH_MEMORY) from error


def with_search_text(parsed: ParsedFeed) -> ParsedFeed:
    """Each entry with its index text, computed here: in the worker, in parallel.

    The lxml fast path sets it as it builds each entry (a dataclasses.replace per entry
    costs as much as the text itself); the other parsers' entries get it here.
    """
    if all(e.search_text is not None for e in parsed.entries):
        return parsed
    entries = tuple(
        e
        if e.search_text is not None
        else dataclasses.replace(e, search_text=search_text(e.content_html or e.summary_html))
        for e in parsed.entries
    )
    return dataclasses.replace(parsed, entries=entries)
