"""Find a site's feeds: ``<link rel="alternate">`` tags in its HTML, common paths, sniffing.

Pure functions over bytes/strings; the caller fetches pages and tries ``COMMON_FEED_PATHS``.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from tuireader import sanitize
from tuireader.parse.sniff import FEED_ROOTS, head_bytes, root_element, sniff

#: Feed media types a ``<link>`` may declare, best format first.
FEED_TYPES: dict[str, int] = {
    "application/atom+xml": 0,
    "application/rss+xml": 1,
    "application/feed+json": 2,
    "application/rdf+xml": 3,
    "application/x-rss+xml": 1,
    "application/x-atom+xml": 0,
    "application/json": 4,
    "text/xml": 5,
    "application/xml": 5,
}

#: Paths to try, in order, when a page links no feed.
COMMON_FEED_PATHS: tuple[str, ...] = (
    "/feed",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/feed.json",
    "/rss",
    "/atom",
    "/feed/",
    "/index.rss",
    "/rss/",
    "/feeds/posts/default",
    "/?feed=rss2",
)

_MAX_HTML_CHARS = 2_000_000
_SECONDARY_FEED = re.compile(r"\b(comments?|kommentare|commentaires|comentarios)\b", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.I
)


@dataclass(frozen=True)
class FeedLink:
    url: str
    title: str | None
    type: str


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        elif tag == "link":
            self.links.append(values)

    handle_startendtag = handle_starttag


def _decode(html: bytes | str) -> str:
    if isinstance(html, str):
        return html[:_MAX_HTML_CHARS]
    head = html[:4096]
    charset = _META_CHARSET.search(head)
    for encoding in (charset.group(1).decode("ascii") if charset else None, "utf-8"):
        if encoding is None:
            continue
        try:
            return html[:_MAX_HTML_CHARS].decode(encoding, "replace")
        except LookupError:
            continue
    return html[:_MAX_HTML_CHARS].decode("utf-8", "replace")


def find_feed_links(html: bytes | str, base_url: str) -> list[FeedLink]:
    """Feeds the page advertises, as absolute http(s) URLs, best first.

    Ranking: main feeds before comment feeds, then Atom, RSS, JSON Feed, RDF, then page order.
    """
    collector = _LinkCollector()
    try:
        collector.feed(_decode(html))
        collector.close()
    except (AssertionError, ValueError):  # html.parser on hopeless markup: keep what we have
        pass
    base = base_url
    if collector.base:
        with contextlib.suppress(ValueError):
            base = urljoin(base_url, collector.base.strip())

    ranked: list[tuple[tuple[int, int, int], FeedLink]] = []
    seen: set[str] = set()
    for order, attrs in enumerate(collector.links):
        rels = attrs.get("rel", "").lower().split()
        media = attrs.get("type", "").split(";", 1)[0].strip().lower()
        if "alternate" not in rels or media not in FEED_TYPES or not attrs.get("href"):
            continue
        title = sanitize.clean_line(attrs.get("title")) or None
        if media in {"application/json", "text/xml", "application/xml"} and not (
            title and re.search(r"\b(feed|rss|atom)\b", title, re.I)
        ):
            continue  # too generic a type to trust without a title that says "feed"
        try:
            url = sanitize.safe_link(urljoin(base, attrs["href"].strip()))
        except ValueError:
            continue
        if url is None or url.startswith("mailto:") or url in seen:
            continue
        seen.add(url)
        secondary = 1 if title and _SECONDARY_FEED.search(title) else 0
        ranked.append(((secondary, FEED_TYPES[media], order), FeedLink(url, title, media)))
    ranked.sort(key=lambda pair: pair[0])
    return [link for _, link in ranked]


def looks_like_feed(body: bytes, content_type: str | None) -> bool:
    """True when the body is an RSS/Atom document or a JSON Feed, whatever the header says."""
    kind = sniff(body, content_type)
    if kind == "json":
        return b"jsonfeed.org/version/1" in body.replace(b"\\/", b"/")
    return kind == "xml" and root_element(head_bytes(body)) in FEED_ROOTS
