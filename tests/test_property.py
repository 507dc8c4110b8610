"""Property: any mutation of a valid feed parses to FeedError or to something safe to store.

Valid RSS, Atom and JSON Feed documents are mutated (control characters, escape sequences,
entities and character references, random bytes, truncation, repeated items) and run
through ``parse_feed`` and a real ``Store``. Whatever comes in: the only exception is
``FeedError``, no display field holds a control character, and storing the same document
a second time adds and changes nothing.
"""

from __future__ import annotations

import itertools
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from feedgen import rss
from hostile import UNSAFE, display_values
from tuireader.models import FeedError
from tuireader.parse import parse_feed
from tuireader.store import ArticleQuery, Store

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Atom &amp; Eve</title>
<id>urn:atom</id><updated>2026-11-20T08:00:00Z</updated><link href="https://atom.example/"/>
<entry><title>First</title><id>urn:a:1</id><updated>2026-11-20T08:00:00Z</updated>
<author><name>Ann</name></author><category term="news"/>
<link rel="enclosure" href="/a.mp3" type="audio/mpeg" length="10"/>
<content type="html">&lt;p&gt;Body one&lt;/p&gt;</content></entry>
<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Second</div></title>
<id>urn:a:2</id><published>2026-11-19T08:00:00+02:00</published>
<summary>Summary two</summary></entry>
</feed>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON &amp; friends",
        "home_page_url": "https://json.example/",
        "items": [
            {
                "id": "1",
                "title": "One",
                "content_html": "<p>Body <a href='/x'>one</a></p>",
                "date_published": "2026-11-20T08:00:00Z",
                "authors": [{"name": "Jo"}],
                "tags": ["a", "b"],
                "attachments": [{"url": "/a.mp3", "mime_type": "audio/mpeg"}],
            },
            {"id": "2", "title": "Two", "content_text": "Plain\n\ntext"},
        ],
    }
).encode()

SEEDS = (rss(items=3), ATOM, JSON_FEED)

NASTY = [
    b"\x1b[2J",
    b"\x1b]52;c;ZXZpbA==\x07",
    b"\x1b]8;;https://evil.example/\x1b\\",
    b"\x07",
    b"\x00",
    b"\x08\x7f",
    b"\xc2\x9b31m",  # U+009B, C1 CSI, in UTF-8
    b"\x9b",  # a lone byte: C1 in Latin-1, invalid in UTF-8
    b"\xe2\x80\xae",  # U+202E RIGHT-TO-LEFT OVERRIDE
    b"\xe2\x81\xa6",  # U+2066 LEFT-TO-RIGHT ISOLATE
    b"\xe2\x80\x8b",  # U+200B ZERO WIDTH SPACE
    b"\xef\xbb\xbf",  # BOM
    b"\\u001b[31m",  # JSON escapes
    b"\\u009b",
    b"\\u202e",
]
REFERENCES = [
    b"&#27;",
    b"&#x1b;",
    b"&#155;",
    b"&#x9b;",
    b"&#x202e;",
    b"&#0;",
    b"&#xD800;",
    b"&#1114112;",
    b"&amp;",
    b"&lt;",
    b"&nbsp;",
    b"&undefined;",
    b"<![CDATA[\x1b[2J]]>",
    b"<!-- -->",
    b"]]>",
]
_ITEM = re.compile(rb"<(item|entry)[\s>].*?</\1>|\{\"id\".*?\}(?=, \{|\])", re.DOTALL)


def _insert(doc: bytes, where: float, payload: bytes) -> bytes:
    at = int(where * len(doc))
    return doc[:at] + payload + doc[at:]


def _duplicate_item(doc: bytes, where: float, _payload: bytes) -> bytes:
    items = list(_ITEM.finditer(doc))
    if not items:
        return doc
    item = items[int(where * len(items)) % len(items)]
    joiner = b", " if item.group(0).startswith(b"{") else b""
    return doc[: item.end()] + joiner + item.group(0) + doc[item.end() :]


def _truncate(doc: bytes, where: float, _payload: bytes) -> bytes:
    return doc[: int(where * len(doc))]


mutation = st.one_of(
    st.tuples(st.just(_insert), st.floats(0, 1), st.sampled_from(NASTY + REFERENCES)),
    st.tuples(st.just(_insert), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just(_duplicate_item), st.floats(0, 1), st.just(b"")),
    st.tuples(st.just(_truncate), st.floats(0.5, 1), st.just(b"")),
)

_feed_numbers: Iterator[int] = itertools.count()


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """One real store for every example; each example subscribes to a feed of its own."""
    with tempfile.TemporaryDirectory() as directory:
        store = Store(Path(directory) / "property.db")
        yield store
        store.close()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.sampled_from(SEEDS), mutations=st.lists(mutation, max_size=5))
def test_mutated_feeds_parse_safely_and_store_stably(
    store: Store, seed: bytes, mutations: list[tuple[object, float, bytes]]
) -> None:
    doc = seed
    for apply, where, payload in mutations:
        assert callable(apply)
        doc = apply(doc, where, payload)

    try:
        parsed = parse_feed(doc, url="https://feed.example/feed")
    except FeedError as error:
        event("refused with FeedError")
        assert str(error) and "\n" not in str(error) and not UNSAFE.search(str(error))
        return

    for text in (parsed.title, parsed.description, *parsed.warnings):
        assert not UNSAFE.search(text or ""), repr(text)
    event("parsed and stored")
    feed = store.add_feed(f"https://feed.example/{next(_feed_numbers)}")
    first = store.store_feed(
        feed.id, parsed, body_hash=None, etag=None, last_modified=None, bytes_downloaded=0
    )
    stored = [store.get_article(i) for i in store.article_ids(ArticleQuery(feed_id=feed.id))]
    assert len(stored) == first.new
    for article in stored:
        assert article is not None
        for value in display_values(article):
            assert not UNSAFE.search(value), repr(value)
    assert not UNSAFE.search(store.get_feed(feed.id).title)

    again = parse_feed(doc, url="https://feed.example/feed")
    second = store.store_feed(
        feed.id, again, body_hash=None, etag=None, last_modified=None, bytes_downloaded=0
    )
    assert (second.new, second.updated) == (0, 0)
