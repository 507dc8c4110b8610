"""What the refresh sends to its parse workers, importable without importing the parser.

The main process of a refresh only downloads and stores: keeping feedparser (and
everything the parsers pull in) out of it makes every `tuireader refresh` start sooner.

A parsed feed crosses the process boundary as plain tuples (:func:`pack`): pickle handles
a frozen slots dataclass with Python-level ``__getstate__``/``__setstate__`` per object,
which cost ~50 us an entry there and back, half of it in the main process where it holds
the GIL against the downloads and the store writer; tuples cost ~13 us (bench/refresh_bench.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from tuireader.entryfacts import EntryFacts, entry_facts
from tuireader.models import Enclosure, ParsedEntry, ParsedFeed

#: A ParsedFeed as tuples; only :func:`pack` makes one and only :func:`unpack` reads it.
PackedFeed = tuple[Any, ...]


def body_fingerprint(body: bytes) -> str:
    """A cheap digest of a response body: equal digests mean the parse can be skipped.

    SHA-256 (cut to 128 bits): OpenSSL's runs on the CPU's SHA instructions where they
    exist, ~3x faster than blake2b here (0.035 against 0.10 CPU-s for the 37 MB of a cold
    200-feed refresh, on the main thread). Digests stored by the blake2b version differ:
    such a feed is parsed once more, and its unchanged articles are not written again.
    """
    return hashlib.sha256(body).hexdigest()[:32]


def parse_in_worker(
    body: bytes, url: str, content_type: str | None
) -> tuple[PackedFeed, tuple[EntryFacts, ...]]:
    """Runs in a worker process, where the forkserver has already imported the parser.

    Besides the feed, each entry's facts (its key, digest, dates as text...): the store's
    per-entry Python work, done here in parallel instead of on its one writer thread.
    """
    from tuireader.parse import parse_feed

    feed = parse_feed(body, url=url, content_type=content_type)
    return pack(feed), tuple(entry_facts(e) for e in feed.entries)


def pack(feed: ParsedFeed) -> PackedFeed:
    """``feed`` as nested tuples, in field order (see :func:`unpack`)."""
    return (
        feed.title,
        feed.site_url,
        feed.description,
        feed.format,
        feed.warnings,
        tuple(
            (
                e.title,
                e.guid,
                e.link,
                e.author,
                e.published,
                e.updated,
                e.summary_html,
                e.content_html,
                e.categories,
                tuple((x.url, x.type, x.length, x.duration) for x in e.enclosures),
                e.search_text,
            )
            for e in feed.entries
        ),
    )


def unpack(packed: PackedFeed) -> ParsedFeed:
    """The ParsedFeed :func:`pack` was given."""
    title, site_url, description, format_, warnings, entries = packed
    return ParsedFeed(
        title,
        site_url,
        description,
        format_,
        tuple(
            ParsedEntry(
                e_title,
                guid,
                link,
                author,
                published,
                updated,
                summary_html,
                content_html,
                categories,
                tuple(Enclosure(*x) for x in enclosures) if enclosures else (),
                search_text,
            )
            for (
                e_title,
                guid,
                link,
                author,
                published,
                updated,
                summary_html,
                content_html,
                categories,
                enclosures,
                search_text,
            ) in entries
        ),
        warnings,
    )
