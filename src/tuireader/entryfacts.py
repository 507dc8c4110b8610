"""What the store derives from a parsed entry before it writes it: pure functions.

Its identity in its feed (:func:`dedup_key`), a digest of what it shows
(:func:`content_hash`), its dates and lists as stored text. A refresh computes these in
its parse workers (:func:`entry_facts`), beside the parse, so the store's one writer
thread, which every feed waits for, only runs SQL. Nothing here imports the store.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from tuireader.models import Enclosure, ParsedEntry

#: (dedup_key, published, updated, content_hash, categories, enclosures) as stored text.
EntryFacts = tuple[str, str | None, str | None, str, str, str]


def db_time(value: datetime | None) -> str | None:
    """UTC, second precision, fixed width: sorts as text (the store's time format)."""
    if value is None:
        return None
    if value.tzinfo is UTC and value.year >= 1000:
        # What the parsers give: the same text at half strftime's cost.
        return value.isoformat(timespec="seconds")[:19] + "Z"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dedup_key(entry: ParsedEntry) -> str:
    """guid, else link, else a hash of title and date: the identity of an article in its feed."""
    if entry.guid:
        return "g:" + entry.guid
    if entry.link:
        return "l:" + entry.link
    stamp = entry.published.isoformat() if entry.published else ""
    return "h:" + hashlib.sha1(f"{entry.title}\x00{stamp}".encode()).hexdigest()


def content_hash(
    entry: ParsedEntry, published: str | None = None, updated: str | None = None
) -> str:
    """A digest of what an article shows; ``published``/``updated`` are db_time's text
    of the entry's dates when the caller has it already. Each part is followed by a NUL,
    hashed in one call (the same bytes as part by part, so stored hashes stay valid)."""
    if published is None and entry.published is not None:
        published = db_time(entry.published)
    if updated is None and entry.updated is not None:
        updated = db_time(entry.updated)
    parts = (
        entry.title,
        entry.link,
        entry.author,
        published,
        updated,
        entry.summary_html,
        entry.content_html,
        "\x1f".join(entry.categories),
        "\x1f".join(e.url for e in entry.enclosures),
    )
    text = "\x00".join(part or "" for part in parts) + "\x00"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def encode_enclosures(enclosures: tuple[Enclosure, ...]) -> str:
    """``[url, type, length]`` each, with the duration fourth when the feed gave one."""
    if not enclosures:
        return "[]"  # json.dumps([]), the common case, without the encoder
    return json.dumps(
        [
            [e.url, e.type, e.length]
            if e.duration is None
            else [e.url, e.type, e.length, e.duration]
            for e in enclosures
        ]
    )


def encode_categories(categories: tuple[str, ...]) -> str:
    return json.dumps(list(categories)) if categories else "[]"


def entry_facts(entry: ParsedEntry) -> EntryFacts:
    published = db_time(entry.published)
    updated = db_time(entry.updated)
    return (
        dedup_key(entry),
        published,
        updated,
        content_hash(entry, published, updated),
        encode_categories(entry.categories),
        encode_enclosures(entry.enclosures),
    )
