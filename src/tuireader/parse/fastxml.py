"""A fast path for the common case: well-formed UTF-8 RSS 2.0, RSS 1.0 and Atom 1.0, via lxml.

feedparser costs about 0.55 ms an item even without sanitising, and parsing dominates a
refresh (bench/refresh_bench.py). Most real feeds are plain, well-formed RSS 2.0, RSS 1.0 or
Atom, which lxml's C parser walks ten times faster (RSS 1.0 shares the RSS 2.0 code: feedparser
reads the RSS 1.0 namespace as no namespace). Anything unusual (another format, another
encoding, xml:base, XHTML text constructs, a document that is not well-formed) returns None
and the caller uses feedparser, so the fast path only has to be right on easy documents;
tests/test_fastxml.py checks it gives the same values as feedparser on the feed corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urljoin

from feedparser.mixin import _FeedParserMixin
from lxml import etree

from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.parse import dates, fields
from tuireader.searchtext import search_text

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF_ABOUT = f"{RDF}about"
#: What an RSS 1.0 document may hold at its top level; anything else goes to feedparser.
_RDF_TOP = frozenset({f"{RSS1}channel", f"{RSS1}item", f"{RSS1}image", f"{RSS1}textinput"})
#: Namespaces that make feedparser call a document something else than RSS 1.0, whichever
#: is declared first (its version decides some rules); searched in the lower-cased body
#: with ``in`` (a regex alternation of the two tried every byte: 1.4 ms a 180 KB feed).
_OTHER_FORMATS = (b"w3.org/2005/atom", b"my.netscape.com/rdf/simple/0.9")
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}"
ITUNES_AUTHOR = "{http://www.itunes.com/dtds/podcast-1.0.dtd}author"
_RSS_VERSIONS = {"2.0": "rss20", "0.92": "rss092", "0.91": "rss091u"}
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})""")
_UTF8_NAMES = frozenset({b"utf-8", b"utf8"})
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
MEDIA_THUMBNAIL = "{http://search.yahoo.com/mrss/}thumbnail"
#: Item/entry children feedparser maps to fields we never read: safe to skip. Any other
#: unknown child (media:description, itunes:title, a nested <categories>...) may change
#: what feedparser reports, so such a feed goes to feedparser instead.
_IGNORED_CHILDREN = frozenset(
    {
        "comments",
        "{http://purl.org/rss/1.0/modules/slash/}comments",
        "{http://wellformedweb.org/CommentAPI/}commentRss",
        "{http://purl.org/syndication/thread/1.0}total",
        "{com-wordpress:feed-additions:1}post-id",
        f"{ITUNES}image",
        f"{ITUNES}explicit",
        f"{ITUNES}episodeType",
        f"{ITUNES}episode",
        f"{ITUNES}season",
        MEDIA_THUMBNAIL,
    }
)
# feedparser's own e-mail pattern (mixin._sync_author_detail).
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)
# Two patterns, each with a literal start the regex engine finds in C (one alternation of
# both tried every "&" and every byte, ~2 ms for a 200 KB feed).
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:12[89]|1[3-5][0-9]|x[89][0-9a-fA-F]);")
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


class _Unsupported(Exception):
    """The document needs feedparser."""


def parse_fast(body: bytes, url: str) -> ParsedFeed | None:
    """The feed, or None when feedparser must read it."""
    # feedparser reads C1 characters as the windows-1252 ones they were meant to be.
    if (
        not _is_plain_utf8(body)
        or b"xml:base" in body
        or _C1_UTF8.search(body)
        or _C1_REFERENCE.search(body)
    ):
        return None
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        if root.tag == "rss" and root.get("version") in _RSS_VERSIONS:
            return _rss(root, url, _RSS_VERSIONS[root.get("version", "")])
        if root.tag == f"{ATOM}feed":
            return _atom(root, url)
        if root.tag == f"{RDF}RDF":
            return _rdf(root, body, url)
    except _Unsupported:
        return None
    return None


def _is_plain_utf8(body: bytes) -> bool:
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00")):
        return False
    declared = _XML_ENCODING.match(body[:300].lstrip(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in _UTF8_NAMES:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text(element: etree._Element | None) -> str:
    """An element's text; unescaped markup inside it is feedparser's to keep as HTML."""
    if element is None:
        return ""
    if len(element):
        raise _Unsupported
    return element.text or ""


def _display_line(text: str, limit: int = fields.MAX_TITLE) -> str:
    """RSS text that may be HTML: feedparser's own guess decides, so both paths agree."""
    text = text.strip()
    if _FeedParserMixin.looks_like_html(text):
        return fields.html_line(text, limit)
    return fields.line(text, limit)


# --- RSS 2.0 -----------------------------------------------------------------------------


def _rss(root: etree._Element, url: str, version: str) -> ParsedFeed:
    channel = root.find("channel")
    if channel is None or _has_cdf_attributes(channel):
        raise _Unsupported
    return _channel(channel, [c for c in channel if c.tag == "item"], url, version, "")


def _rdf(root: etree._Element, body: bytes, url: str) -> ParsedFeed:
    """RSS 1.0: items beside the channel, not in it; ids from ``rdf:about``."""
    lowered = body.lower()
    if any(namespace in lowered for namespace in _OTHER_FORMATS):
        raise _Unsupported
    channel: etree._Element | None = None
    items: list[etree._Element] = []
    for child in root:
        if child.tag == f"{RSS1}item":
            items.append(child)
        elif child.tag == f"{RSS1}channel" and channel is None:
            channel = child
        elif child.tag not in _RDF_TOP:
            raise _Unsupported  # feedparser may read it into the feed
    if channel is None or _has_cdf_attributes(channel):
        raise _Unsupported
    return _channel(channel, items, url, "rss10", RSS1)


def _has_cdf_attributes(element: etree._Element, about: bool = True) -> bool:
    """Attributes feedparser reads: a channel's or item's ``href``/``lastmod`` (CDF) and an
    item's ``rdf:about`` (its id: allowed with ``about``, where this code reads it too)."""
    return any(not (about and name == RDF_ABOUT) for name in element.attrib)


def _local(tag: object, namespace: str) -> object:
    """RSS 1.0's namespace dropped: feedparser reads it as it reads no namespace."""
    if namespace and isinstance(tag, str) and tag.startswith(namespace):
        return tag[len(namespace) :]
    return tag


def _channel(
    channel: etree._Element,
    items: list[etree._Element],
    url: str,
    version: str,
    namespace: str,
) -> ParsedFeed:
    title = description = ""
    site: str | None = None
    feed_author: str | None = None
    for child in channel:
        tag = _local(child.tag, namespace)
        if tag == "title":
            title = _display_line(_text(child))
        elif tag == "link" and site is None:
            site = fields.link(_text(child).strip(), url)
        elif tag == "description":
            description = _display_line(_text(child), fields.MAX_DESCRIPTION)
        elif tag in (f"{DC}creator", "managingEditor", ITUNES_AUTHOR) and feed_author is None:
            feed_author = _rss_author(_text(child))
        elif tag in (f"{ATOM}title", f"{DC}title"):
            raise _Unsupported  # which title feedparser keeps depends on its order rules
    entries = tuple(
        _rss_item(item, url, feed_author, namespace) for item in items[: fields.MAX_ENTRIES]
    )
    warnings: tuple[str, ...] = ()
    if len(items) > fields.MAX_ENTRIES:
        warnings = (
            f"feed has {len(items)} entries; only the first {fields.MAX_ENTRIES} were kept",
        )
    return ParsedFeed(
        title=title or None,
        site_url=site,
        description=description or None,
        format=version,
        entries=entries,
        warnings=warnings,
    )


def _rss_author(text: str) -> str | None:
    """ "jo@example.org (Jo Doe)" or "Jo Doe <jo@example.org>" -> "Jo Doe", like feedparser."""
    text = text.strip()
    email = _EMAIL.search(text)
    if email is None:
        return fields.optional_line(text, fields.MAX_AUTHOR)
    # feedparser's _sync_author_detail, step by step, so both paths name the same person.
    name = text.replace(email.group(0), "").replace("()", "").replace("<>", "")
    name = name.replace("&lt;&gt;", "").strip()
    name = name.removeprefix("(").removesuffix(")").strip()
    return fields.optional_line(name or email.group(0), fields.MAX_AUTHOR)


def _rss_item(
    item: etree._Element, url: str, feed_author: str | None, namespace: str
) -> ParsedEntry:
    if _has_cdf_attributes(item, about=bool(namespace)):
        raise _Unsupported
    title = ""
    link: str | None = None
    # RSS 1.0's rdf:about, taken as it is (feedparser neither strips nor resolves it).
    guid = fields.guid(item.get(RDF_ABOUT)) if namespace else None
    guid_is_link = False
    author: str | None = None
    published = updated = None
    summary: str | None = None
    content: str | None = None
    categories: list[str] = []
    enclosures: list[Enclosure] = []
    duration: str | None = None
    for child in item:
        tag = _local(child.tag, namespace)
        if tag == "title":
            title = _display_line(_text(child))
        elif tag == "link":
            link = fields.link(_text(child).strip(), url)
        elif tag == "guid":
            if namespace:
                raise _Unsupported  # a guid beside rdf:about: which id wins is feedparser's
            # Exactly as feedparser: only a missing or lower-case "true" makes a permalink.
            guid_is_link = child.get("isPermaLink", "true") == "true"
            guid_text = _text(child).strip()
            # feedparser resolves a permalink guid against the feed URL even when it is
            # no URL at all; the dedup key must not depend on which parser read the feed.
            if guid_text:
                guid = fields.guid(_urljoin(url, guid_text) if guid_is_link else guid_text)
        elif tag == "description":
            summary = _text(child)
        elif tag == CONTENT_ENCODED:
            content = _text(child)
        elif tag == "pubDate":
            published = _date(_text(child))
        elif tag == f"{DC}date":
            updated = _date(_text(child))
        elif tag in ("author", f"{DC}creator", ITUNES_AUTHOR):
            name = _rss_author(_text(child))
            if author is not None and name != author:
                raise _Unsupported  # which one feedparser keeps depends on its order rules
            author = name
        elif tag in ("category", f"{DC}subject"):
            if len(child):
                raise _Unsupported
            categories.append(_text(child).strip())
        elif tag == "enclosure":
            enclosure = fields.enclosure(
                child.get("url"), child.get("type"), child.get("length"), url
            )
            if enclosure is not None:
                enclosures.append(enclosure)
        elif tag == f"{ITUNES}duration":
            duration = _text(child)
        elif tag not in _IGNORED_CHILDREN:
            raise _Unsupported
    if link is None and guid_is_link and guid:
        link = fields.link(guid, url)
    content_html = _html(content, url) if content and content.strip() else None
    summary_html = _html(summary, url) if summary and summary.strip() else None
    if summary_html == content_html:
        summary_html = None
    return ParsedEntry(
        title=title,
        guid=guid,
        link=link,
        author=author or feed_author,
        published=published or updated,
        updated=updated,
        summary_html=summary_html,
        content_html=content_html,
        categories=fields.categories(categories),
        enclosures=fields.episode_duration(enclosures[: fields.MAX_ENCLOSURES], duration),
        search_text=search_text(content_html or summary_html),
    )


def _urljoin(base: str, value: str) -> str:
    if fields.is_plain_url(value):
        return value  # most ids and permalinks: urljoin's answer without its parsing
    try:
        return urljoin(base, value)
    except ValueError:
        return value


def _date(text: str) -> datetime | None:
    """Second precision, as feedparser's struct_time gives."""
    value = dates.parse_date(text)
    return value.replace(microsecond=0) if value is not None else None


def _html(text: str, base: str) -> str | None:
    return fields.html_field(fields.resolve_relative_links(text.strip(), base))


# --- Atom 1.0 ----------------------------------------------------------------------------


def _atom_text(element: etree._Element | None, limit: int = fields.MAX_TITLE) -> str:
    if element is None:
        return ""
    kind = _atom_type(element)
    text = element.text or ""
    return fields.html_line(text, limit) if "html" in kind else fields.line(text, limit)


def _atom_type(element: etree._Element) -> str:
    """ "text" or "html"; XHTML, base64 (any other media type) and markup go to feedparser."""
    kind = str(element.get("type", "text"))
    if kind not in ("text", "html") or len(element) or element.get("mode"):
        raise _Unsupported
    return kind


def _atom_html(element: etree._Element | None, base: str) -> str | None:
    if element is None:
        return None
    kind = _atom_type(element)
    if element.get("src"):
        raise _Unsupported
    text = element.text or ""
    if not text.strip():
        return None
    if "html" in kind:
        return _html(text, base)
    return fields.text_as_html(text)


def _atom_person(element: etree._Element) -> str | None:
    name = element.find(f"{ATOM}name")
    email = element.find(f"{ATOM}email")
    value = _text(name).strip() or _text(email).strip()
    return value or None


def _atom_links(element: etree._Element, base: str) -> Iterator[tuple[str, etree._Element]]:
    for link in element.iterfind(f"{ATOM}link"):
        if not link.get("href"):
            raise _Unsupported  # feedparser takes the link's text instead
        yield link.get("rel", "alternate"), link


def _atom(root: etree._Element, url: str) -> ParsedFeed:
    if any(isinstance(c.tag, str) and etree.QName(c).localname == "item" for c in root):
        raise _Unsupported  # RSS items inside Atom: feedparser reads them as entries
    title = _atom_text(root.find(f"{ATOM}title"))
    site = None
    for rel, link in _atom_links(root, url):
        if rel == "alternate" and site is None:
            site = fields.link(link.get("href"), url)
    if site is None and fields.link(_text(root.find(f"{ATOM}id")).strip()):
        raise _Unsupported  # feedparser may take the feed's link from a URL id
    authors = [a for a in (_atom_person(p) for p in root.iterfind(f"{ATOM}author")) if a]
    feed_author = fields.optional_line(", ".join(dict.fromkeys(authors)), fields.MAX_AUTHOR)
    subtitle = root.find(f"{ATOM}subtitle")
    description = _atom_text(subtitle, fields.MAX_DESCRIPTION) if subtitle is not None else ""
    raw_entries = list(root.iterfind(f"{ATOM}entry"))
    entries = tuple(_atom_entry(e, url, feed_author) for e in raw_entries[: fields.MAX_ENTRIES])
    warnings: tuple[str, ...] = ()
    if len(raw_entries) > fields.MAX_ENTRIES:
        warnings = (
            f"feed has {len(raw_entries)} entries; only the first {fields.MAX_ENTRIES} were kept",
        )
    return ParsedFeed(
        title=title or None,
        site_url=site,
        description=description or None,
        format="atom10",
        entries=entries,
        warnings=warnings,
    )


def _last(element: etree._Element, tag: str) -> etree._Element | None:
    """The last of repeated children: feedparser overwrites a value with each repeat."""
    found = element.findall(tag)
    return found[-1] if found else None


_ATOM_ENTRY_CHILDREN = frozenset(
    f"{ATOM}{name}"
    for name in ("id", "title", "link", "updated", "published", "author", "content", "summary")
) | {f"{ATOM}category"}


def _atom_entry(entry: etree._Element, url: str, feed_author: str | None) -> ParsedEntry:
    for child in entry:
        if child.tag not in _ATOM_ENTRY_CHILDREN and child.tag not in _IGNORED_CHILDREN:
            raise _Unsupported
    link = None
    enclosures: list[Enclosure] = []
    for rel, element in _atom_links(entry, url):
        if rel == "alternate" and link is None:
            link = fields.link(element.get("href"), url)
        elif rel == "enclosure":
            enclosure = fields.enclosure(
                element.get("href"), element.get("type"), element.get("length"), url
            )
            if enclosure is not None:
                enclosures.append(enclosure)
    entry_id = _text(entry.find(f"{ATOM}id")).strip()
    guid = fields.guid(_urljoin(url, entry_id)) if entry_id else None
    authors = [a for a in (_atom_person(p) for p in entry.iterfind(f"{ATOM}author")) if a]
    author = fields.optional_line(", ".join(dict.fromkeys(authors)), fields.MAX_AUTHOR)
    published = _date(_text(_last(entry, f"{ATOM}published")))
    updated = _date(_text(_last(entry, f"{ATOM}updated")))
    content_html = _atom_html(entry.find(f"{ATOM}content"), url)
    summary_html = _atom_html(entry.find(f"{ATOM}summary"), url)
    if summary_html == content_html:
        summary_html = None
    categories = (c.get("label") or c.get("term") for c in entry.iterfind(f"{ATOM}category"))
    return ParsedEntry(
        title=_atom_text(entry.find(f"{ATOM}title")),
        guid=guid,
        link=link or (fields.link(guid) if guid else None),
        author=author or feed_author,
        published=published or updated,
        updated=updated,
        summary_html=summary_html,
        content_html=content_html,
        categories=fields.categories(categories),
        enclosures=tuple(enclosures[: fields.MAX_ENCLOSURES]),
        search_text=search_text(content_html or summary_html),
    )
