"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read.

Lenient like feedparser: wrong types are skipped field by field, never fatal, as long as
the document says it is a JSON Feed. Titles are plain text by the spec, but real feeds
(WordPress plugins among them) put entities and tags in them, so they are read as HTML.
Relative item URLs resolve against ``home_page_url``, then the feed URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from tuireader.models import FeedError, ParsedEntry, ParsedFeed
from tuireader.parse import dates, fields

_VERSION_PREFIX = "https://jsonfeed.org/version/"


def parse_json(body: bytes, *, url: str) -> ParsedFeed:
    document = _load(body)
    if not isinstance(document, dict):
        raise FeedError("not a feed: the JSON document is not a JSON Feed")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith(
        (_VERSION_PREFIX, _VERSION_PREFIX.replace("https:", "http:"))
    ):
        raise FeedError("not a feed: the JSON document is not a JSON Feed")
    version_number = version.rsplit("/", 1)[-1]

    warnings: list[str] = []
    feed_link = fields.link(document.get("home_page_url"), url)
    base = feed_link or url
    items = document.get("items")
    if not isinstance(items, list):
        if items is not None:
            warnings.append("JSON Feed 'items' is not a list; no entries read")
        items = []
    if len(items) > fields.MAX_ENTRIES:
        warnings.append(
            f"feed has {len(items)} entries; only the first {fields.MAX_ENTRIES} were kept"
        )
        items = items[: fields.MAX_ENTRIES]

    feed_author = _authors(document)
    entries = tuple(_entry(item, base, feed_author) for item in items if isinstance(item, dict))
    if len(entries) < len(items):
        warnings.append(f"{len(items) - len(entries)} JSON Feed items were not objects; skipped")
    return ParsedFeed(
        title=fields.html_line(document.get("title")) or None,
        site_url=feed_link,
        description=fields.line(document.get("description"), fields.MAX_DESCRIPTION) or None,
        format="json" + version_number.replace(".", ""),
        entries=entries,
        warnings=tuple(warnings),
    )


def _load(body: bytes) -> Any:
    try:
        try:
            return json.loads(body)
        except UnicodeDecodeError:
            return json.loads(body.decode("utf-8", "replace"))
    except RecursionError as error:
        raise FeedError("not a feed: the JSON document is nested too deeply") from error
    except ValueError as error:  # JSONDecodeError, and int-too-long from hostile numbers
        raise FeedError(f"feed could not be parsed: invalid JSON ({error})") from error


def _authors(node: Mapping[str, Any]) -> str | None:
    """JSON Feed 1.1 ``authors`` (a list), else 1.0 ``author`` (one object)."""
    candidates: Iterable[object] = ()
    if isinstance(node.get("authors"), list):
        candidates = node["authors"]
    elif isinstance(node.get("author"), dict):
        candidates = (node["author"],)
    names = [
        a["name"] for a in candidates if isinstance(a, dict) and isinstance(a.get("name"), str)
    ]
    return fields.optional_line(", ".join(dict.fromkeys(names)), fields.MAX_AUTHOR)


def _entry(item: Mapping[str, Any], base: str, feed_author: str | None) -> ParsedEntry:
    raw_html = item.get("content_html")
    if isinstance(raw_html, str):
        raw_html = fields.resolve_relative_links(raw_html[: fields.MAX_HTML], base)
    content_html = fields.html_field(raw_html) or fields.text_as_html(item.get("content_text"))
    tags = item.get("tags")
    attachments = item.get("attachments")
    enclosures = (
        fields.enclosure(a.get("url"), a.get("mime_type"), a.get("size_in_bytes"), base)
        for a in (attachments if isinstance(attachments, list) else ())
        if isinstance(a, dict)
    )
    return ParsedEntry(
        title=fields.html_line(item.get("title")),
        guid=fields.guid(item.get("id")),
        link=fields.link(item.get("url"), base) or fields.link(item.get("external_url"), base),
        author=_authors(item) or feed_author,
        published=dates.parse_date(item.get("date_published")),
        updated=dates.parse_date(item.get("date_modified")),
        summary_html=fields.text_as_html(item.get("summary")),
        content_html=content_html,
        categories=fields.categories(tags if isinstance(tags, list) else ()),
        enclosures=tuple(e for e in enclosures if e is not None)[: fields.MAX_ENCLOSURES],
    )
