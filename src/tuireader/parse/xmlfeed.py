"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser, into ``ParsedFeed`` values.

feedparser gets bytes only (never a URL: it would do its own I/O), the feed URL as the
``Content-Location`` base for relative links, and ``sanitize_html=False``: HTML is cleaned
when an article is shown, which keeps a refresh fast (see bench/parse_bench.py).
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import feedparser

from tuireader.models import FeedError, ParsedEntry, ParsedFeed
from tuireader.parse import dates, fields
from tuireader.parse.fastxml import parse_fast
from tuireader.parse.sniff import head_bytes

#: feedparser's relative-URI pass re-parses every HTML field with sgmllib and roughly
#: triples parse time (bench/parse_bench.py); ``fields.resolve_relative_links`` does the
#: same job with a regex. Links, enclosures and xml:base are resolved by feedparser either way.
RESOLVE_RELATIVE_URIS = False
SANITIZE_HTML = False

DTD_REFUSED = "feed declares a DTD with entities; refused"
TOO_MUCH_MEMORY = "feed needs too much memory to parse"
_DTD_DANGER = re.compile(rb"<!ENTITY|<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.IGNORECASE)
_EBCDIC_PROLOG = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC; feedparser decodes it as cp037
_UTF8_BOM = b"\xef\xbb\xbf"
#: How much of an undeclared document the encoding detector reads (it is ~linear in size).
_DETECT_BYTES = 64 * 1024
_BYTE_EXACT_ENCODINGS = frozenset({"utf-8", "ascii", "utf-8-sig"})
# Warnings that only say the server's headers were imperfect: not worth showing.
_IGNORED_BOZO = ("NonXMLContentType",)
INVALID_UTF8 = "feed has bytes that are not UTF-8; they were replaced"
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# The end of one RSS item or Atom entry, with or without a namespace prefix.
_ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]{0,40}:)?(?:item|entry)\s{0,40}>")
#: No document shorter than this can hold more than MAX_ENTRIES entries ("<item></item>").
_MIN_ENTRY_BYTES = 13


def cap_entries(body: bytes, limit: int = fields.MAX_ENTRIES) -> tuple[bytes, int]:
    """Cut the document after its ``limit``-th entry, keeping its ending (``</channel></rss>``).

    feedparser parses every entry before we can drop any, at ~0.2 ms each: a 100,000-item
    feed would take ~20 s and ~200 MB (bench/hostile_bench.py). A byte scan finds the end of
    the ``limit``-th entry and splices the text after the last entry back on, so the parser
    only ever sees ``limit`` entries. Returns the body and the number of entries found.
    """
    if len(body) < limit * _MIN_ENTRY_BYTES:
        return body, 0
    count = 0
    cut = last = 0
    for match in _ENTRY_END.finditer(body):
        count += 1
        if count == limit:
            cut = match.end()
        last = match.end()
    if count <= limit:
        return body, count
    return body[:cut] + body[last:], count


def refuse_dtd(body: bytes, content_type: str | None) -> None:
    """Raise if the document declares entities or a DTD internal subset, in any encoding.

    Checked on the raw bytes and, when the document or server declares an encoding that
    is not UTF-8/ASCII (UTF-16/32, UTF-7's "+ADw-", EBCDIC...), on the decoded text too, so
    billion-laughs and XXE never reach the XML parser.
    """
    if _DTD_DANGER.search(body):
        raise FeedError(DTD_REFUSED)
    if b"\x00" in body[:8] and _DTD_DANGER.search(body.replace(b"\x00", b"")):
        raise FeedError(DTD_REFUSED)
    for encoding in _declared_encodings(body, content_type):
        if encoding in _BYTE_EXACT_ENCODINGS:
            continue
        try:
            text = body.decode(encoding, "replace")
        except (LookupError, ValueError, TypeError):
            continue
        if _DTD_DANGER.search(text.encode("utf-8", "replace")):
            raise FeedError(DTD_REFUSED)


def _declared_encodings(body: bytes, content_type: str | None) -> set[str]:
    found: set[str] = set()
    charset = _CHARSET.search(content_type or "")
    if charset:
        found.add(charset.group(1))
    declared = _XML_ENCODING.search(head_bytes(body, 512))
    if declared:
        found.add(declared.group(1).decode("ascii"))
    if body.startswith(_EBCDIC_PROLOG):
        found.add("cp037")
    valid: set[str] = set()
    for name in found:
        try:
            valid.add(codecs.lookup(name).name)
        except LookupError:
            continue
    return valid


def base_url(url: str, headers: Mapping[str, str] | None) -> str:
    """The base for relative links: a ``Content-Location`` header made absolute, as feedparser
    does, else the URL the feed was fetched from. Unsafe or unusable values are ignored."""
    location = next(
        (v for k, v in (headers or {}).items() if k.lower() == "content-location"), None
    )
    if not isinstance(location, str) or not location.strip():
        return url
    try:
        resolved = urljoin(url, location.strip())
    except ValueError:
        return url
    return fields.link(resolved) or url


def _feedparser_headers(
    body: bytes, url: str, content_type: str | None, headers: Mapping[str, str] | None
) -> dict[str, str]:
    """Response headers for feedparser, lower-cased as it expects.

    The media type is always given as application/xml: we have already decided this is
    XML, and without it feedparser assumes ISO-8859-1 for undeclared documents (and text/*
    makes it assume US-ASCII). A charset the server sent is kept; failing that, a document
    that declares a legacy 8-bit encoding but is valid UTF-8 is read as UTF-8 (a common
    misconfiguration, and valid UTF-8 is almost never an accident).
    """
    result = {k.lower(): v for k, v in (headers or {}).items() if isinstance(v, str)}
    declared = content_type or result.get("content-type") or ""
    match = _CHARSET.search(declared)
    charset = match.group(1) if match else None
    if charset is None and _declares_legacy_encoding(body) and _is_non_ascii_utf8(body):
        charset = "utf-8"
    if charset is None:
        charset = detect_undeclared_encoding(body)
    result["content-type"] = "application/xml" + (f"; charset={charset}" if charset else "")
    result["content-location"] = url
    return result


def detect_undeclared_encoding(body: bytes) -> str | None:
    """The legacy encoding of a document that declares none and is not UTF-8, by detection.

    Without this, a Big5 or Shift_JIS feed that happens to hold a few byte pairs that are
    valid UTF-8 is read as UTF-8 with replacement characters. charset-normalizer (already
    installed with trafilatura and requests) guesses from the byte statistics; documents
    with a BOM, an XML declaration or UTF-16/32 NULs are never second-guessed.
    """
    if body.isascii() or body.startswith((_UTF8_BOM, b"\xff\xfe", b"\xfe\xff", _EBCDIC_PROLOG)):
        return None
    if b"\x00" in body[:8] or _XML_ENCODING.search(head_bytes(body, 512)):
        return None
    head = body[:_DETECT_BYTES]
    text = head.decode("utf-8", "replace")
    invalid = text.count("\ufffd")
    if invalid == 0 or sum(1 for ch in text if ord(ch) > 0x7F) - invalid >= 4 * invalid:
        return None  # UTF-8, perhaps with a few bad bytes: repair_utf8's case
    import charset_normalizer  # here: few documents need it, and every parse worker starts

    try:
        best = charset_normalizer.from_bytes(body[:_DETECT_BYTES]).best()
    except Exception:  # a guess is optional; one hostile body must not fail the parse
        return None
    if best is None or best.encoding in ("utf_8", "ascii"):
        return None
    return str(best.encoding)


def _declares_legacy_encoding(body: bytes) -> bool:
    match = _XML_ENCODING.search(head_bytes(body, 512))
    if match is None:
        return False
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return False
    return not name.startswith(("utf", "cp037"))


def _is_non_ascii_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_xml(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> ParsedFeed:
    refuse_dtd(body, content_type)
    url = base_url(url, headers)
    response_headers = _feedparser_headers(body, url, content_type, headers)
    # The fast path first, on the whole body: lxml reads a huge feed quickly and the fast
    # path keeps its first MAX_ENTRIES entries itself, so only feedparser needs the cap,
    # whose scan of every closing tag cost ~5 us an entry of every feed over 130 KB.
    if _reads_as_utf8(body, response_headers):
        fast = parse_fast(body, url)
        if fast is not None:
            return fast
    capped, entry_count = cap_entries(body)
    if capped is not body:
        body = capped
        response_headers = _feedparser_headers(body, url, content_type, headers)
    body, repaired = repair_utf8(body, response_headers["content-type"])
    try:
        result = feedparser.parse(
            io.BytesIO(body),
            response_headers=response_headers,
            resolve_relative_uris=RESOLVE_RELATIVE_URIS,
            sanitize_html=SANITIZE_HTML,
        )
    except RecursionError as error:
        raise FeedError("feed is nested too deeply to parse") from error
    except MemoryError as error:
        raise FeedError(TOO_MUCH_MEMORY) from error
    except Exception as error:  # feedparser has no error contract; one bad feed must not escape
        raise FeedError(f"feed could not be parsed: {fields.one_line_reason(error)}") from error
    parsed = _to_parsed_feed(result, url, entry_count)
    if repaired:
        parsed = dataclasses.replace(parsed, warnings=(*parsed.warnings, INVALID_UTF8))
    return parsed


def _reads_as_utf8(body: bytes, response_headers: Mapping[str, str]) -> bool:
    """Whether feedparser would decode this body as UTF-8 (the fast path's only encoding)."""
    return body.isascii() or _effective_encoding(body, response_headers["content-type"]) == "utf-8"


def repair_utf8(body: bytes, feedparser_content_type: str) -> tuple[bytes, bool]:
    """A UTF-8 document with a few invalid bytes, with just those bytes replaced by U+FFFD.

    feedparser re-decodes the *whole* document in a legacy encoding (MacRoman, cp1252) when
    one byte is not UTF-8, so a single bad byte would turn every stored "café" into "caf√©".
    Only documents that are UTF-8 by their headers or declaration, and that hold valid
    multi-byte UTF-8 (so they really are UTF-8), are repaired; the rest are left to feedparser.
    """
    if body.isascii() or _effective_encoding(body, feedparser_content_type) != "utf-8":
        return body, False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        if _UTF8_MULTIBYTE.search(body) is None:
            return body, False
        return body.decode("utf-8", "replace").encode("utf-8"), True
    return body, False


def _effective_encoding(body: bytes, feedparser_content_type: str) -> str | None:
    """The encoding feedparser will try first: the header's charset, the declaration, UTF-8."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", _EBCDIC_PROLOG)):
        return None  # UTF-16/32 or EBCDIC: not ours to repair
    charset = _CHARSET.search(feedparser_content_type)
    declared = _XML_ENCODING.search(head_bytes(body, 512))
    name = charset.group(1) if charset else declared.group(1).decode() if declared else "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _to_parsed_feed(result: Any, url: str, entry_count: int = 0) -> ParsedFeed:
    feed = result.get("feed") or {}
    raw_entries = result.get("entries") or []
    warnings: list[str] = []
    bozo = result.get("bozo_exception") if result.get("bozo") else None
    if bozo is not None and type(bozo).__name__ not in _IGNORED_BOZO:
        warnings.append(fields.one_line_reason(bozo))

    title = _title(feed)
    version = str(result.get("version") or "")
    # A document that is not well-formed is refused only when nothing at all could be read
    # from it; one feedparser cannot place as RSS/Atom with neither a title nor entries is
    # not a feed (CDF channels with only a description among them: see
    # tests/test_feedparser_suite.py).
    if not raw_entries and not title:
        if bozo is not None and not (feed.get("link") or feed.get("subtitle")):
            raise FeedError(f"feed could not be parsed: {fields.one_line_reason(bozo)}")
        if not version:
            raise FeedError("not a feed: no RSS or Atom content found")

    total = max(entry_count, len(raw_entries))
    if total > fields.MAX_ENTRIES:
        warnings.append(f"feed has {total} entries; only the first {fields.MAX_ENTRIES} were kept")
        raw_entries = raw_entries[: fields.MAX_ENTRIES]

    feed_author = _author(feed)
    entries = tuple(_entry(raw, feed_author, url) for raw in raw_entries)
    return ParsedFeed(
        title=title or None,
        site_url=fields.link(feed.get("link")),
        description=_text(feed, "subtitle", fields.MAX_DESCRIPTION) or None,
        format=version,
        entries=entries,
        warnings=tuple(warnings),
    )


def _text(node: Any, key: str, limit: int) -> str:
    """A text construct as one plain line: HTML titles (Atom type="html") lose their tags."""
    value = node.get(key)
    detail = node.get(f"{key}_detail") or {}
    if "html" in str(detail.get("type") or ""):
        return fields.html_line(value, limit)
    return fields.line(value, limit)


def _title(node: Any) -> str:
    return _text(node, "title", fields.MAX_TITLE)


def _author(node: Any) -> str | None:
    names: list[str] = []
    for author in node.get("authors") or ():
        if isinstance(author, Mapping):
            name = author.get("name") or author.get("email")
            if isinstance(name, str) and name.strip():
                names.append(name)
    if not names:
        detail = node.get("author_detail") or {}
        single = detail.get("name") or node.get("author") or detail.get("email")
        if isinstance(single, str):
            names.append(single)
    return fields.optional_line(", ".join(dict.fromkeys(names)), fields.MAX_AUTHOR)


def _entry(raw: Any, feed_author: str | None, feed_url: str) -> ParsedEntry:
    content_html = None
    for content in raw.get("content") or ():
        if isinstance(content, Mapping) and content.get("value"):
            content_html = _html(content, feed_url)
            break
    summary_html = None
    # Without a summary_detail the summary is feedparser's copy of the content (Atom).
    if raw.get("summary") and (raw.get("summary_detail") or not content_html):
        summary_html = _html(raw.get("summary_detail") or {}, feed_url, raw["summary"])
        if summary_html == content_html:  # feedparser copies content:encoded into summary
            summary_html = None
    tags = (
        t.get("label") or t.get("term") for t in raw.get("tags") or () if isinstance(t, Mapping)
    )
    enclosures = (
        fields.enclosure(e.get("href") or e.get("url"), e.get("type"), e.get("length"), feed_url)
        for e in raw.get("enclosures") or ()
        if isinstance(e, Mapping)
    )
    # dict.get: FeedParserDict maps a missing updated_parsed to published_parsed (and warns).
    published = dates.from_struct_time(dict.get(raw, "published_parsed"))
    updated = dates.from_struct_time(dict.get(raw, "updated_parsed"))
    return ParsedEntry(
        title=_title(raw),
        guid=fields.guid(raw.get("id")),
        link=fields.link(raw.get("link")),
        author=_author(raw) or feed_author,
        published=published or updated,
        updated=updated,
        summary_html=summary_html,
        content_html=content_html,
        categories=fields.categories(tags),
        enclosures=fields.episode_duration(
            tuple(e for e in enclosures if e is not None)[: fields.MAX_ENCLOSURES],
            raw.get("itunes_duration"),
        ),
    )


def _html(detail: Mapping[str, Any], feed_url: str, value: object = None) -> str | None:
    """A content/summary construct as bounded HTML with absolute links."""
    text = _as_html(detail, value)
    if text and not RESOLVE_RELATIVE_URIS:
        base = detail.get("base")
        if not (isinstance(base, str) and fields.link(base)):
            base = feed_url
        text = fields.resolve_relative_links(text, base)
    return fields.html_field(text)


def _as_html(detail: Mapping[str, Any], value: object = None) -> str:
    """A content/summary construct as HTML: plain text is escaped, HTML kept."""
    text = detail.get("value") if value is None else value
    if not isinstance(text, str):
        return ""
    if str(detail.get("type") or "text/html") == "text/plain":
        return fields.text_as_html(text) or ""
    return text
