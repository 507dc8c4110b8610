"""Hostile servers and odd documents, through the real refresh: each feed fails alone, in one
line, within a deadline and in bounded memory, and what was stored before stays as it was."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from feedgen import rss
from hostile import (
    UNSAFE,
    assert_failed,
    assert_intact,
    hostile_reader,
    refresh_one,
    seed_good_feed,
    stored_articles,
)
from loopback import (
    LoopbackServer,
    Response,
    close_mid_body,
    drip,
    gzip_bomb,
    oversized,
    status_with_retry_after,
)
from tuireader.core import Reader
from tuireader.models import OutcomeKind
from tuireader.parse.fields import MAX_ENTRIES
from tuireader.store import ArticleQuery


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return hostile_reader(tmp_path)


# --- size, time and broken transfers ---------------------------------------------------------


@pytest.mark.parametrize("declare_length", [True, False])
async def test_body_over_the_size_cap_fails(
    reader: Reader, http_server: LoopbackServer, declare_length: bool
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.add_handler("/feed.xml", oversized(11 * 2**20, declare_length=declare_length))

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, "response larger than 10 MB")
    assert outcome.bytes_downloaded < 11 * 2**20


async def test_gzip_bomb_fails_at_the_cap_in_bounded_memory(
    reader: Reader, http_server: LoopbackServer
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.add_handler("/feed.xml", gzip_bomb(200 * 2**20))

    tracemalloc.start()
    try:
        outcome = await refresh_one(reader)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert_failed(reader, seeded, outcome, "response larger than 10 MB")
    assert outcome.bytes_downloaded < 1 * 2**20  # the bomb is ~200 KB on the wire
    assert peak < 40 * 2**20  # inflating it all would take 200 MB


async def test_dripping_server_is_cut_off_by_the_configured_deadline(
    reader: Reader, http_server: LoopbackServer
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    # One byte a second: every read succeeds well inside the read timeout.
    http_server.add_handler("/feed.xml", drip(rss(items=5), interval=1.0))

    started = time.monotonic()
    outcome = await refresh_one(reader)
    elapsed = time.monotonic() - started

    assert_failed(reader, seeded, outcome, "timed out after 1.5 s")
    assert elapsed < 5  # the drip would take an hour; the read timeout is 5 s


async def test_connection_closed_mid_body_fails(
    reader: Reader, http_server: LoopbackServer
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.add_handler("/feed.xml", close_mid_body(rss(items=5)))

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, "connection closed mid-body")


# --- redirects -------------------------------------------------------------------------------


async def test_redirect_loop_fails(reader: Reader, http_server: LoopbackServer) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.redirect("/feed.xml", "/a", status=302)
    http_server.redirect("/a", "/feed.xml", status=302)

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, "redirect loop")
    assert reader.store.get_feed(seeded.feed_id).url == seeded.url


@pytest.mark.parametrize(
    ("location", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("FILE:///etc/passwd", "file"),
        ("ftp://127.0.0.1/feed.xml", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("data:application/rss+xml,<rss/>", "data"),
        ("gopher://127.0.0.1:70/feed", "gopher"),
    ],
)
async def test_redirect_to_another_scheme_is_refused(
    reader: Reader, http_server: LoopbackServer, location: str, scheme: str
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.redirect("/feed.xml", location, status=301)

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, f"redirect to unsupported scheme {scheme}:")
    assert reader.store.get_feed(seeded.feed_id).url == seeded.url  # a 301 moved nothing


# --- error statuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "gone"),
    [
        (404, "HTTP 404 Not Found", False),
        (410, "HTTP 410 Gone", True),
        (429, "HTTP 429 Too Many Requests", False),
        (500, "HTTP 500 Internal Server Error", False),
        (503, "HTTP 503 Service Unavailable", False),
    ],
)
async def test_error_status_fails_in_one_line(
    reader: Reader, http_server: LoopbackServer, status: int, reason: str, gone: bool
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    retry_after = "600" if status in (429, 503) else None
    http_server.add_handler("/feed.xml", status_with_retry_after(status, retry_after))

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, reason)
    feed = reader.store.get_feed(seeded.feed_id)
    assert feed.gone is gone
    if retry_after is not None:
        assert feed.next_fetch_after is not None  # Retry-After is honoured


# --- what the body turns out to be -----------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/plain", ""])
async def test_wrong_or_missing_content_type_still_parses(
    reader: Reader, http_server: LoopbackServer, content_type: str
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    body = rss(items=4)
    if content_type:
        http_server.add("/feed.xml", body, content_type=content_type)
    else:
        http_server.add_handler("/feed.xml", lambda _r: Response(body))  # no Content-Type

    outcome = await refresh_one(reader)

    assert (outcome.kind, outcome.new_articles) == (OutcomeKind.UPDATED, 1)
    assert_intact(reader, seeded)


async def test_html_page_where_a_feed_was_expected_fails(
    reader: Reader, http_server: LoopbackServer
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    page = b"<!DOCTYPE html><html><head><title>Moved</title></head><body>Hi</body></html>"
    http_server.add("/feed.xml", page, content_type="application/rss+xml")

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, "not a feed: the URL returned an HTML page")


async def test_empty_body_fails(reader: Reader, http_server: LoopbackServer) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.add("/feed.xml", b"  \n")

    outcome = await refresh_one(reader)

    assert_failed(reader, seeded, outcome, "empty response")


async def test_feed_without_items_keeps_the_stored_articles(
    reader: Reader, http_server: LoopbackServer
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.add("/feed.xml", rss(items=0))

    outcome = await refresh_one(reader)

    assert (outcome.kind, outcome.new_articles) == (OutcomeKind.UPDATED, 0)
    assert_intact(reader, seeded)


async def test_invalid_utf8_keeps_the_good_parts(
    reader: Reader, http_server: LoopbackServer
) -> None:
    good = rss(items=3, item_title="Caf\u00e9 {n}")
    seeded = await seed_good_feed(reader, http_server, body=good)
    # One item with bytes that are not UTF-8: feedparser alone would re-read the whole
    # document as MacRoman and every stored "Café" would become "Caf√©".
    body = rss(items=4, item_title="Caf\u00e9 {n}").replace(b"Caf\xc3\xa9 3", b"Caf\xc3 \x9b\xff 3")
    http_server.add("/feed.xml", body)

    outcome = await refresh_one(reader)

    assert (outcome.kind, outcome.new_articles) == (OutcomeKind.UPDATED, 1)
    assert_intact(reader, seeded)
    titles = {a.title for a in stored_articles(reader)}
    assert "Caf\u00e9 0" in titles
    (bad,) = [t for t in titles if t.endswith(" 3")]
    assert bad.startswith("Caf") and not UNSAFE.search(bad)


async def test_wrong_declared_encoding_is_read_without_control_characters(
    reader: Reader, http_server: LoopbackServer
) -> None:
    good = rss(items=3, item_title="Na\u00efve \u20ac{n}")
    seeded = await seed_good_feed(reader, http_server, body=good)
    # Declared ISO-8859-1 but really UTF-8 (the usual mistake), plus bytes that are C1
    # controls in Latin-1 and cannot be UTF-8: the document is then read as Latin-1.
    body = rss(items=4, item_title="Na\u00efve \u20ac{n}").replace(
        b'encoding="utf-8"', b'encoding="iso-8859-1"'
    )
    http_server.add("/feed.xml", body)
    await refresh_one(reader)
    assert any(a.title == "Na\u00efve \u20ac3" for a in stored_articles(reader))

    http_server.add("/feed.xml", body.replace(b"\xe2\x82\xac3", b"\x9b2J\x85\x8d 4"))
    outcome = await refresh_one(reader)

    assert outcome.kind is OutcomeKind.UPDATED
    assert_intact(reader, seeded)
    for article in stored_articles(reader):
        assert not UNSAFE.search(article.title), repr(article.title)


# --- many entries, odd dates, repeated ids -----------------------------------------------------


def _many_items(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><guid>urn:n:{n}</guid></item>" for n in range(count)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>'
        f"{items}<link>https://example.org/</link></channel></rss>"
    ).encode()


async def test_a_100000_item_feed_is_kept_to_the_entry_cap(
    reader: Reader, http_server: LoopbackServer
) -> None:
    # Without the cut before parsing, feedparser reads all 100,000 items (~20 s, ~200 MB)
    # and the parse timeout (10 s here) fails the feed; bench/hostile_bench.py has figures.
    seeded = await seed_good_feed(reader, http_server)
    http_server.add("/feed.xml", _many_items(100_000))

    outcome = await refresh_one(reader)

    assert (outcome.kind, outcome.new_articles) == (OutcomeKind.UPDATED, MAX_ENTRIES)
    assert_intact(reader, seeded)
    assert reader.store.count_articles(ArticleQuery(feed_id=seeded.feed_id)) == 3 + MAX_ENTRIES
    newest_kept = reader.store.search_ids(f'"Item {MAX_ENTRIES - 1}"')
    assert newest_kept and not reader.store.search_ids(f'"Item {MAX_ENTRIES}"')


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "0001-01-01T00:00:00Z",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "9999-12-31T23:59:59Z",
        "yesterday-ish",
        "Sun, 99 Foo 2026 99:99:99 +9999",
    ],
)
async def test_absurd_or_unparsable_dates_are_stored_as_missing(
    reader: Reader, http_server: LoopbackServer, date: str
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    head, _, tail = rss(items=4).rpartition(b"<pubDate>")  # the new item's date
    body = head + b"<pubDate>" + date.encode() + b"</pubDate>" + tail.split(b"</pubDate>", 1)[1]
    http_server.add("/feed.xml", body)

    outcome = await refresh_one(reader)

    assert (outcome.kind, outcome.new_articles) == (OutcomeKind.UPDATED, 1)
    assert_intact(reader, seeded)
    newest = reader.store.get_article(reader.store.article_ids(ArticleQuery())[0])
    assert newest is not None and newest.title == "Story 3"
    assert newest.published is None  # not year 1 or 9999, and not an exception


async def test_duplicate_guids_with_changing_content(
    reader: Reader, http_server: LoopbackServer
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    starred = next(a for a in seeded.articles if a.starred)
    twin = (
        f"<item><title>Impostor</title><guid>{starred.guid}</guid>"
        "<description>other text</description></item>"
    )
    changed = rss(items=3).replace(b"</channel>", twin.encode() + b"</channel>")
    changed = changed.replace(b"Full text of story", b"Corrected text of story")
    http_server.add("/feed.xml", changed)

    outcome = await refresh_one(reader)

    # The first occurrence of a guid wins; changed content updates in place, state kept.
    assert (outcome.kind, outcome.new_articles, outcome.updated_articles) == (
        OutcomeKind.UPDATED,
        0,
        3,
    )
    after = {a.id: a for a in stored_articles(reader)}
    assert len(after) == 3
    for before in seeded.articles:
        now = after[before.id]
        assert (now.title, now.read, now.starred, now.guid) == (
            before.title,
            before.read,
            before.starred,
            before.guid,
        )
        assert now.content_html is not None and "Corrected text" in now.content_html

    again = await refresh_one(reader)
    assert again.kind is OutcomeKind.NOT_MODIFIED  # the same bytes: nothing re-stored
