"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read.

Lenient like feedparser: wrong types are skipped field by field, never fatal, as long as
the document says it is a JSON Feed. Otherwise it follows the 1.1 spec:

- titles and descriptions are plain text, never HTML ("Why <table> beats <div>" stays so).
  One leniency: WordPress's JSON Feed plugin writes every title HTML-escaped, and its
  titles carry numeric references (``&#8217;``) that no plain-text title means literally;
  in a document where any title has one, character references in titles are decoded
  (markup is still never removed). Elsewhere "AT&T &amp; me" stays exactly that;
- relative URLs resolve against the document's own URL: the URL it was fetched from
  (RFC 3986's base), or ``feed_url`` when that is not an http(s) URL (a local file);
- ``authors`` (1.1) is used when it names anyone, else ``author`` (1.0);
- an item with neither ``date_published`` nor a date of its own falls back to
  ``date_modified``, as the RSS/Atom paths fall back to updated;
- an item with no id, url, title or date gets an id from a hash of its content, so two
  such items stay two articles.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tuireader.models import FeedError, ParsedEntry, ParsedFeed
from tuireader.parse import dates, fields

_VERSION_PREFIX = "https://jsonfeed.org/version/"
_NUMERIC_REFERENCE = re.compile(r"&#(?:[0-9]{2,7}|[xX][0-9a-fA-F]{2,6});")


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
    base = url if fields.link(url) else fields.link(document.get("feed_url")) or url
    feed_link = fields.link(document.get("home_page_url"), base)
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
    title = _title_reader(document, items)
    entries = tuple(
        _entry(item, base, feed_author, title) for item in items if isinstance(item, dict)
    )
    if len(entries) < len(items):
        warnings.append(f"{len(items) - len(entries)} JSON Feed items were not objects; skipped")
    return ParsedFeed(
        title=title(document.get("title")) or None,
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
    """JSON Feed 1.1 ``authors`` (a list) when it names anyone, else 1.0 ``author``."""
    authors = node.get("authors")
    names = _names(authors if isinstance(authors, list) else ())
    if not names:
        names = _names((node.get("author"),))
    return fields.optional_line(", ".join(dict.fromkeys(names)), fields.MAX_AUTHOR)


def _names(people: Iterable[object]) -> list[str]:
    return [
        p["name"]
        for p in people
        if isinstance(p, dict) and isinstance(p.get("name"), str) and p["name"].strip()
    ]


def _content_id(item: Mapping[str, Any]) -> str:
    """A stable id for an item that has nothing else to tell it apart: its content's hash."""
    try:
        text = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):  # nested near the limit json.loads allowed
        text = repr(sorted(item))
    return "jsonfeed-content:" + hashlib.blake2b(text.encode("utf-8", "replace")).hexdigest()[:32]


def _title_reader(document: Mapping[str, Any], items: list[Any]) -> Callable[[object], str]:
    """Plain text, or entity-decoded text for a document whose titles are HTML-escaped."""
    titles = [document.get("title")] + [i.get("title") for i in items if isinstance(i, dict)]
    if any(isinstance(t, str) and _NUMERIC_REFERENCE.search(t) for t in titles):
        return lambda value: fields.line(html.unescape(value) if isinstance(value, str) else "")
    return fields.line


def _entry(
    item: Mapping[str, Any], base: str, feed_author: str | None, read_title: Callable[[object], str]
) -> ParsedEntry:
    raw_html = item.get("content_html")
    if isinstance(raw_html, str):
        raw_html = fields.resolve_relative_links(raw_html[: fields.MAX_HTML], base)
    content_html = fields.html_field(raw_html) or fields.text_as_html(item.get("content_text"))
    tags = item.get("tags")
    attachments = item.get("attachments")
    enclosures = (
        fields.enclosure(
            a.get("url"),
            a.get("mime_type"),
            a.get("size_in_bytes"),
            base,
            a.get("duration_in_seconds"),
        )
        for a in (attachments if isinstance(attachments, list) else ())
        if isinstance(a, dict)
    )
    title = read_title(item.get("title"))
    link = fields.link(item.get("url"), base) or fields.link(item.get("external_url"), base)
    published = dates.parse_date(item.get("date_published"))
    updated = dates.parse_date(item.get("date_modified"))
    guid = fields.guid(item.get("id"))
    if guid is None and not (link or title or published or updated):
        guid = _content_id(item)
    return ParsedEntry(
        title=title,
        guid=guid,
        link=link,
        author=_authors(item) or feed_author,
        published=published or updated,
        updated=updated,
        summary_html=fields.text_as_html(item.get("summary")),
        content_html=content_html,
        categories=fields.categories(tags if isinstance(tags, list) else ()),
        enclosures=tuple(e for e in enclosures if e is not None)[: fields.MAX_ENCLOSURES],
    )
