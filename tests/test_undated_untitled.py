"""Undated and untitled entries (issue 15, new-user point 4), on a real SQLite file.

Undated entries of a feed's backlog used to be dated when stored: they floated above every
dated article of every newest-first list and "Today" counted them. Untitled ones showed
"(untitled)" everywhere.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery, Store
from tuireader.store.db import Database
from tuireader.store.schema import MIGRATIONS
from tuireader.titles import title_from_text

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)
TODAY = datetime(NOW.year, NOW.month, NOW.day, tzinfo=UTC)


def dated(n: int, hours: int) -> ParsedEntry:
    return ParsedEntry(
        title=f"Story {n}", guid=f"g{n}", published=T0 + timedelta(hours=hours),
        summary_html=f"<p>Dated story {n}.</p>",
    )  # fmt: skip


def undated(n: int, text: str = "") -> ParsedEntry:
    return ParsedEntry(
        title="", guid=f"u{n}", summary_html=text or f"<p>Undated note {n} from the quay.</p>"
    )


def stored(store: Store, *entries: ParsedEntry) -> int:
    feed = store.add_feed("https://example.org/feed")
    store.store_feed(
        feed.id,
        ParsedFeed(title="Quay", entries=entries),
        body_hash=None, etag=None, last_modified=None, bytes_downloaded=0,
    )  # fmt: skip
    return feed.id


def newest_first(store: Store) -> list[str]:
    return [a.title for a in store.list_articles(ArticleQuery())]


def test_a_backlogs_undated_entries_keep_the_feeds_order_and_are_not_today(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "t.db", clock=lambda: NOW) as store:
        stored(store, dated(3, 3), undated(1), undated(2), dated(2, 2), dated(1, 1), undated(9))
        assert newest_first(store) == [
            "Story 3",
            "Undated note 1 from the quay.",
            "Undated note 2 from the quay.",
            "Story 2",
            "Story 1",
            "Undated note 9 from the quay.",
        ]
        assert store.count_articles(ArticleQuery(since=TODAY)) == 0  # the Today view


def test_an_undated_entry_in_a_later_refresh_is_dated_when_first_seen(tmp_path: Path) -> None:
    now = [NOW]
    with Store(tmp_path / "t.db", clock=lambda: now[0]) as store:
        feed_id = stored(store, dated(1, 1))
        now[0] = NOW + timedelta(hours=1)
        store.store_feed(
            feed_id,
            ParsedFeed(title="Quay", entries=(undated(5), dated(1, 1))),
            body_hash=None, etag=None, last_modified=None, bytes_downloaded=0,
        )  # fmt: skip
        [top, _] = store.list_articles(ArticleQuery())
        assert (top.title, top.sort_key) == (
            "Undated note 5 from the quay.",
            "2026-11-21T13:00:00Z",
        )
        assert store.count_articles(ArticleQuery(since=TODAY)) == 1  # it is news today


def test_untitled_entries_get_a_clean_title_from_their_text(tmp_path: Path) -> None:
    hostile = "<p>\x1b]52;c;cGF3bmVk\x07Evil \x1b[2Jtext here that goes on. And on.</p>"
    with Store(tmp_path / "t.db", clock=lambda: NOW) as store:
        stored(store, undated(1, hostile), undated(2, "<p>" + "word " * 40 + "</p>"))
        titles = newest_first(store)
        assert all("\x1b" not in t and "\x07" not in t for t in titles)
        assert "Evil text here that goes on." in " ".join(titles)
        assert "word word word…" in " ".join(titles)
        assert store.search_ids("evil") != []


def test_title_from_text() -> None:
    assert title_from_text("Hello world. More here.") == "Hello world."
    assert title_from_text("e.g. this is a sentence. Yes.") == "e.g. this is a sentence."
    assert title_from_text("  ") == ""
    long = title_from_text("lighthouse " * 20)
    assert long.endswith("lighthouse…") and len(long) <= 80


def test_migration_3_fixes_rows_stored_the_old_way(tmp_path: Path) -> None:
    db = tmp_path / "v2.db"
    Database(db, migrations=MIGRATIONS[:2]).close()
    conn = sqlite3.connect(db, isolation_level=None)
    seen = "2026-11-21T12:00:00Z"
    conn.execute(
        "INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://example.org/f', ?)", (seen,)
    )
    rows = [  # (id, title, published, body): the document's order, undated ones as stored then
        (1, "Story 3", "2026-11-20T15:00:00Z", "dated"),
        (2, "", None, "Harbour lights are back on. The keepers say so."),
        (3, "Story 1", "2026-11-20T13:00:00Z", "dated"),
        (4, "", None, "Trailing note \x1b[2J with an escape"),
    ]
    for article_id, title, published, body in rows:
        conn.execute(
            """INSERT INTO articles (id, feed_id, dedup_key, title, published, content_hash,
               first_seen, sort_date) VALUES (?, 1, ?, ?, ?, 'x', ?, ?)""",
            (article_id, f"g:{article_id}", title, published, seen, published or seen),
        )
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, author, body) VALUES (?, ?, '', ?)",
            (article_id, title, body),
        )
    conn.close()
    with Store(db, clock=lambda: NOW) as store:
        articles = store.list_articles(ArticleQuery())
        assert [(a.id, a.title, a.sort_key) for a in articles] == [
            (1, "Story 3", "2026-11-20T15:00:00Z"),
            (2, "Harbour lights are back on.", "2026-11-20T13:00:01Z"),
            (3, "Story 1", "2026-11-20T13:00:00Z"),
            (4, "", "2026-11-20T12:59:59Z"),  # its text is not safe to show: left untitled
        ]
        assert store.count_articles(ArticleQuery(since=TODAY)) == 0
        assert store.search_ids("lights") == [2]
