"""feedparser's own test files, read by tuireader and by plain feedparser, compared field by field.

Used by tests/test_feedparser_suite.py, and runnable to print the counts:

    PYTHONPATH=src python tests/feedsuite.py [../shared]

The reference is ``feedparser.parse`` on the same bytes and response headers, mapped to a
``ParsedFeed`` by a small mapping written here (not tuireader's), with two documented
exceptions that keep a refresh fast and are applied to both sides: HTML is not sanitised
while parsing (it is cleaned when shown) and relative links in HTML are resolved by
``fields.resolve_relative_links``.
"""

from __future__ import annotations

import dataclasses
import io
import re
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser

from tuireader.models import FeedError, ParsedEntry, ParsedFeed
from tuireader.parse import dates, fields, parse_feed
from tuireader.parse.fastxml import parse_fast
from tuireader.parse.htmltext import html_to_text
from tuireader.parse.xmlfeed import parse_xml

try:
    from tuireader.parse.xmlfeed import base_url
except ImportError:  # measuring a tuireader from before Content-Location was honoured

    def base_url(url: str, headers: Mapping[str, str] | None) -> str:
        return url


SUITE = Path("corpus") / "feedparser-suite" / "tests"
BASE = "http://127.0.0.1:8097/"
_HEADER = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
_COMMENT = re.compile(rb"\A\s*<!--(.*?)-->", re.DOTALL)


def suite_files(shared: Path) -> list[Path]:
    folder = shared / SUITE
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".xml", ".json"})


def headers_of(body: bytes) -> dict[str, str]:
    """The ``Header: Name: value`` lines of the opening comment (they stand for HTTP headers)."""
    comment = _COMMENT.match(body)
    if comment is None:
        return {}
    text = comment.group(1).decode("utf-8", "replace")
    return {m.group(1): m.group(2) for m in _HEADER.finditer(text)}


def url_of(path: Path, shared: Path) -> str:
    return BASE + "tests/" + path.relative_to(shared / SUITE).as_posix()


# --- the reference: plain feedparser, mapped here ------------------------------------------


def reference(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    response = {k.lower(): v for k, v in headers.items()}
    # As feedparser itself does with a URL: Content-Location made absolute against it.
    response["content-location"] = _content_location(url, response.get("content-location"))
    # What a server sends for a .xml file; without it feedparser assumes ISO-8859-1.
    response.setdefault("content-type", "application/xml")
    result = feedparser.parse(
        io.BytesIO(body), response_headers=response, sanitize_html=False,
        resolve_relative_uris=False,
    )  # fmt: skip
    feed = result.get("feed") or {}
    feed_author = _ref_author(feed)
    return ParsedFeed(
        title=_ref_text(feed, "title") or None,
        site_url=fields.link(feed.get("link")),
        description=_ref_text(feed, "subtitle", fields.MAX_DESCRIPTION) or None,
        format=str(result.get("version") or ""),
        entries=tuple(_ref_entry(e, feed_author, url) for e in result.get("entries") or ()),
    )


def _content_location(url: str, header: str | None) -> str:
    from feedparser.urls import make_safe_absolute_uri

    return str(make_safe_absolute_uri(url, header or "") or url)


def _ref_text(node: Any, key: str, limit: int = fields.MAX_TITLE) -> str:
    value = node.get(key)
    kind = str((node.get(f"{key}_detail") or {}).get("type") or "")
    if "html" in kind and isinstance(value, str):
        return fields.line(html_to_text(value), limit)
    return fields.line(value, limit)


def _ref_author(node: Any) -> str | None:
    names = []
    for person in node.get("authors") or ():
        name = person.get("name") or person.get("email")
        if isinstance(name, str) and name.strip():
            names.append(name)
    if not names and isinstance(node.get("author"), str):
        names.append(node["author"])
    return fields.optional_line(", ".join(dict.fromkeys(names)), fields.MAX_AUTHOR)


def _ref_html(detail: Any, url: str) -> str | None:
    value = detail.get("value")
    if not isinstance(value, str) or not value.strip():
        return None
    if detail.get("type") == "text/plain":
        return fields.text_as_html(value)
    base = detail.get("base")
    if not (isinstance(base, str) and fields.link(base)):
        base = url
    return fields.html_field(fields.resolve_relative_links(value.strip(), base))


def _ref_entry(raw: Any, feed_author: str | None, url: str) -> ParsedEntry:
    contents = [c for c in raw.get("content") or () if c.get("value")]
    content = _ref_html(contents[0], url) if contents else None
    summary = _ref_html(raw.get("summary_detail") or {}, url) if raw.get("summary") else None
    published = dates.from_struct_time(dict.get(raw, "published_parsed"))
    updated = dates.from_struct_time(dict.get(raw, "updated_parsed"))
    tags = (t.get("label") or t.get("term") for t in raw.get("tags") or ())
    enclosures = (
        fields.enclosure(e.get("href"), e.get("type"), e.get("length"), url)
        for e in raw.get("enclosures") or ()
    )
    return ParsedEntry(
        title=_ref_text(raw, "title"),
        guid=fields.guid(raw.get("id")),
        link=fields.link(raw.get("link")),
        author=_ref_author(raw) or feed_author,
        published=published or updated,
        updated=updated,
        summary_html=None if summary == content else summary,
        content_html=content,
        categories=fields.categories(tags),
        enclosures=fields.episode_duration(
            tuple(e for e in enclosures if e is not None)[: fields.MAX_ENCLOSURES],
            raw.get("itunes_duration"),
        ),
    )


# --- comparing --------------------------------------------------------------------------


def comparable(feed: ParsedFeed) -> ParsedFeed:
    """Without what only tuireader computes (warnings, search text)."""
    entries = tuple(dataclasses.replace(e, search_text=None) for e in feed.entries)
    return dataclasses.replace(feed, warnings=(), entries=entries)


def differences(ours: ParsedFeed, theirs: ParsedFeed) -> Iterator[str]:
    """One line per field that differs."""
    for name in ("title", "site_url", "description", "format"):
        if getattr(ours, name) != getattr(theirs, name):
            yield f"feed.{name}: {getattr(ours, name)!r} != {getattr(theirs, name)!r}"
    if len(ours.entries) != len(theirs.entries):
        yield f"entries: {len(ours.entries)} != {len(theirs.entries)}"
    for index, (a, b) in enumerate(zip(ours.entries, theirs.entries, strict=False)):
        for field in dataclasses.fields(ParsedEntry):
            mine, other = getattr(a, field.name), getattr(b, field.name)
            if mine != other:
                yield f"entries[{index}].{field.name}: {mine!r} != {other!r}"


@dataclasses.dataclass
class Outcome:
    path: Path
    crash: str | None = None
    error: str | None = None  # a FeedError from tuireader (feedparser found nothing usable)
    diffs: tuple[str, ...] = ()
    fast_taken: bool = False
    fast_diffs: tuple[str, ...] = ()


def compare_file(path: Path, shared: Path) -> Outcome:
    body = path.read_bytes()
    url = url_of(path, shared)
    headers = headers_of(body)
    outcome = Outcome(path)
    try:
        ours = parse_feed(body, url=url, headers=headers)
    except FeedError as error:
        outcome.error = str(error)
        if path.suffix != ".json":
            theirs = reference(body, url, headers)
            if theirs.title or theirs.entries or theirs.site_url or theirs.description:
                outcome.diffs = (f"refused ({error}) but feedparser read it",)
        return outcome
    except Exception as error:  # a crash is what this harness exists to find
        outcome.crash = f"{type(error).__name__}: {error}"
        return outcome
    if path.suffix == ".json":
        return outcome  # feedparser 6 does not read JSON Feed
    outcome.diffs = tuple(differences(comparable(ours), reference(body, url, headers)))
    fast = parse_fast(body, base_url(url, headers))
    if fast is not None:
        outcome.fast_taken = True
        slow = _fallback(body, url, headers)
        outcome.fast_diffs = tuple(differences(comparable(fast), comparable(slow)))
    return outcome


def _fallback(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    """tuireader's own feedparser path, with the fast path turned off."""
    from tuireader.parse import xmlfeed

    saved = xmlfeed.parse_fast
    xmlfeed.parse_fast = lambda body, url: None
    try:
        return parse_xml(body, url=url, headers=headers)
    finally:
        xmlfeed.parse_fast = saved


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared"
    files = suite_files(shared)
    outcomes = [compare_file(p, shared) for p in files]
    verbose = "-v" in argv
    crashes = [o for o in outcomes if o.crash]
    differing = [o for o in outcomes if o.diffs]
    fast = [o for o in outcomes if o.fast_taken]
    fast_bad = [o for o in outcomes if o.fast_diffs]
    for o in crashes + differing + fast_bad:
        rel = o.path.relative_to(shared / SUITE)
        detail = o.crash or "; ".join((*o.diffs, *("fast " + d for d in o.fast_diffs)))
        print(f"{rel}: {detail[:300] if not verbose else detail}")
    refused = sum(1 for o in outcomes if o.error and not o.diffs)
    print(
        f"{len(files)} files ({datetime.now(UTC):%Y-%m-%d %H:%M}Z): {len(crashes)} crashes, "
        f"{len(files) - len(crashes) - len(differing)} identical to feedparser "
        f"({refused} refused by both), {len(differing)} differ; fast path took {len(fast)}, "
        f"{len(fast_bad)} differ from the fallback"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
