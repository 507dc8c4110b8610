"""The store's write path keeps its on-disk meaning while it gets cheaper."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.entryfacts import db_time, entry_facts
from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.store import Store
from tuireader.store.articles import _content_hash
from tuireader.store.db import to_db_time


def part_by_part(entry: ParsedEntry) -> str:
    """The content hash as it was first written: each part, then a NUL, hashed in turn."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        entry.title,
        entry.link,
        entry.author,
        to_db_time(entry.published),
        to_db_time(entry.updated),
        entry.summary_html,
        entry.content_html,
        "\x1f".join(entry.categories),
        "\x1f".join(e.url for e in entry.enclosures),
    ):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


_TEXT = st.one_of(st.none(), st.text(max_size=20))
_DATES = st.one_of(st.none(), st.datetimes(min_value=datetime(1970, 1, 2), timezones=st.just(UTC)))


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=20),
    _TEXT,
    _TEXT,
    _DATES,
    _DATES,
    _TEXT,
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(st.text(min_size=1, max_size=5), max_size=2),
)
def test_content_hashes_stored_before_stay_valid(
    title: str,
    link: str | None,
    author: str | None,
    published: datetime | None,
    updated: datetime | None,
    html: str | None,
    categories: list[str],
    urls: list[str],
) -> None:
    entry = ParsedEntry(
        title=title,
        link=link,
        author=author,
        published=published,
        updated=updated,
        content_html=html,
        categories=tuple(categories),
        enclosures=tuple(Enclosure(u) for u in urls),
    )
    assert _content_hash(entry) == part_by_part(entry)
    assert _content_hash(entry, to_db_time(published), to_db_time(updated)) == part_by_part(entry)


def test_a_deleted_article_stays_deleted_and_its_tombstone_is_seen(tmp_path: Path) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    clock = [now]
    with Store(tmp_path / "s.db", clock=lambda: clock[0]) as store:
        feed = store.add_feed("https://e.example.org/feed")
        entries = tuple(ParsedEntry(title=f"t{n}", guid=f"g{n}") for n in range(3))
        parsed = ParsedFeed(title="f", entries=entries)
        kwargs = {"body_hash": None, "etag": None, "last_modified": None, "bytes_downloaded": 0}
        assert store.store_feed(feed.id, parsed, **kwargs).new == 3
        with store.db.write() as conn:
            conn.execute("DELETE FROM articles WHERE guid = 'g1'")
            conn.execute(
                "INSERT INTO deleted_articles VALUES (?, 'g:g1', ?, ?)",
                (feed.id, to_db_time(now), to_db_time(now)),
            )
        clock[0] = now + timedelta(days=3)
        more = ParsedFeed(title="f", entries=(*entries, ParsedEntry(title="t3", guid="g3")))
        assert store.store_feed(feed.id, more, **kwargs).new == 1  # g1 does not come back
        with store.db.read() as conn:
            seen = conn.execute("SELECT seen_at FROM deleted_articles").fetchone()[0]
        assert seen == to_db_time(clock[0])


def _rows(store: Store) -> list[tuple[object, ...]]:
    with store.db.read() as conn:
        articles = conn.execute(
            "SELECT id, feed_id, dedup_key, guid, link, title, author, published, updated,"
            " summary_html, content_html, categories, enclosures, content_hash, first_seen,"
            " sort_date FROM articles ORDER BY id"
        ).fetchall()
        index = conn.execute(
            "SELECT rowid, title, author, body FROM articles_fts ORDER BY rowid"
        ).fetchall()
    return [tuple(r) for r in articles] + [tuple(r) for r in index]


def test_facts_made_in_the_parse_worker_store_the_same_rows(tmp_path: Path) -> None:
    """store_feed given each entry's facts (what a refresh's workers send) writes exactly
    what it writes when it makes them itself: new articles (ids in document order, as
    SQLite would give them), changed ones updated and re-indexed, repeats and unchanged
    ones skipped."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    first = ParsedFeed(
        title="f",
        entries=(
            ParsedEntry(
                title="one",
                guid="g1",
                published=now - timedelta(days=1),
                categories=("a", "b"),
                enclosures=(Enclosure("https://e.example.org/a.mp3", "audio/mpeg", 5, 61),),
                content_html="<p>first text</p>",
            ),
            ParsedEntry(title="", link="https://e.example.org/2", summary_html="<p>Untitled.</p>"),
            ParsedEntry(title="one again", guid="g1"),  # a repeated guid: the first wins
            ParsedEntry(title="three", updated=now - timedelta(hours=2)),
        ),
    )
    second = ParsedFeed(
        title="f",
        entries=(
            ParsedEntry(title="four", guid="g4"),
            replace(first.entries[0], content_html="<p>changed text</p>"),
            *first.entries[1:],
        ),
    )
    stores = [Store(tmp_path / f"{name}.db", clock=lambda: now) for name in ("own", "given")]
    kwargs = {"body_hash": None, "etag": None, "last_modified": None, "bytes_downloaded": 0}
    for store in stores:
        store.add_feed("https://other.example.org/feed")
        feed = store.add_feed("https://e.example.org/feed")
        other = ParsedFeed(title="o", entries=(ParsedEntry(title="x", guid="x"),))
        store.store_feed(1, other, **kwargs)
        for parsed in (first, second):
            facts = None if store is stores[0] else [entry_facts(e) for e in parsed.entries]
            store.store_feed(feed.id, parsed, facts=facts, **kwargs)
    own, given = (_rows(s) for s in stores)
    assert own == given
    assert [r[0] for r in own[:5]] == [1, 2, 3, 4, 5]
    assert {r[5] for r in own[:5]} == {"x", "one", "Untitled.", "three", "four"}
    with stores[1].db.read() as conn:
        assert (
            conn.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'changed'"
            ).fetchone()[0]
            == 1
        )
    for store in stores:
        store.close()


def test_the_search_index_gathers_a_whole_refresh_transaction_in_memory(tmp_path: Path) -> None:
    """Migration 9: FTS5 writes its pending terms as a segment once they pass ``hashsize``;
    at 8 MB a refresh's transaction of up to 32 feeds (~5 MB of text) is one segment."""
    with Store(tmp_path / "s.db") as store, store.db.read() as conn:
        config = dict(conn.execute("SELECT k, v FROM articles_fts_config").fetchall())
    assert config["hashsize"] == 8 * 2**20
    assert config["automerge"] == 8


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))])))
def test_stored_times_are_strftimes_text(value: datetime) -> None:
    """db_time's shortcut for UTC values writes what strftime wrote."""
    try:
        expected = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:
        return  # out of range once in UTC: db_time raises as before
    assert db_time(value) == expected
