"""The store on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.store import (
    ArticleQuery,
    FeedExistsError,
    Sort,
    Store,
    StoreError,
    StoreReadOnlyError,
    dedup_key,
)
from tuireader.store.schema import SCHEMA_VERSION

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def entry(n: int, **changes: object) -> ParsedEntry:
    values: dict[str, object] = {
        "title": f"Story {n}",
        "guid": f"guid-{n}",
        "link": f"https://example.org/{n}",
        "author": "Ada",
        "published": T0 + timedelta(hours=n),
        "summary_html": f"<p>About fibre cables number {n}</p>",
    }
    values.update(changes)
    return ParsedEntry(**values)  # type: ignore[arg-type]


def feed_of(*entries: ParsedEntry, title: str = "Gazette") -> ParsedFeed:
    return ParsedFeed(title=title, site_url="https://example.org/", entries=entries)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db" / "tuireader.db", clock=lambda: T0 + timedelta(days=1))


def put(store: Store, feed_id: int, parsed: ParsedFeed) -> tuple[int, int]:
    result = store.store_feed(
        feed_id, parsed, body_hash="h", etag=None, last_modified=None, bytes_downloaded=10
    )
    return result.new, result.updated


def test_pragmas_and_schema_version(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_add_feed_twice_is_refused(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed", folder="News")
    assert feed.title == "https://example.org/feed"
    with pytest.raises(FeedExistsError):
        store.add_feed("https://example.org/feed")


def test_store_dedups_by_guid_then_link_then_hash(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    no_guid = entry(2, guid=None)
    nothing = entry(3, guid=None, link=None)
    assert put(store, feed.id, feed_of(entry(1), no_guid, nothing)) == (3, 0)
    assert put(store, feed.id, feed_of(entry(1), no_guid, nothing)) == (0, 0)
    assert dedup_key(no_guid).startswith("l:")
    assert dedup_key(nothing).startswith("h:")
    assert store.get_feed(feed.id).title == "Gazette"


def test_updated_article_keeps_its_state(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_of(entry(1)))
    [article_id] = store.article_ids(ArticleQuery())
    store.set_read([article_id])
    store.set_starred(article_id, True)
    store.set_recommended(article_id, True)
    assert put(store, feed.id, feed_of(entry(1, title="Story 1, corrected"))) == (0, 1)
    article = store.get_article(article_id)
    assert article is not None
    assert article.title == "Story 1, corrected"
    assert (article.read, article.starred, article.recommended) == (True, True, True)


def test_duplicate_guids_within_a_feed_keep_the_first(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    assert put(store, feed.id, feed_of(entry(1), entry(1, title="Other"))) == (1, 0)
    [summary] = store.list_articles(ArticleQuery())
    assert summary.title == "Story 1"


def test_views_and_order(store: Store) -> None:
    a = store.add_feed("https://a.example.org/feed", folder="Tech")
    b = store.add_feed("https://b.example.org/feed")
    put(store, a.id, feed_of(entry(1), entry(2), title="Alpha"))
    put(store, b.id, feed_of(entry(3), title="Beta"))
    newest = store.list_articles(ArticleQuery())
    assert [s.title for s in newest] == ["Story 3", "Story 2", "Story 1"]
    oldest = store.article_ids(ArticleQuery(sort=Sort.OLDEST))
    assert oldest == [s.id for s in reversed(newest)]
    assert store.count_articles(ArticleQuery(folder="Tech")) == 2
    store.set_read([newest[0].id])
    assert store.count_articles(ArticleQuery(unread_only=True)) == 2
    feeds = {f.title: f for f in store.list_feeds()}
    assert (feeds["Alpha"].unread, feeds["Beta"].unread) == (2, 0)
    by_feed = store.list_articles(ArticleQuery(sort=Sort.FEED))
    assert [s.feed_title for s in by_feed] == ["Alpha", "Alpha", "Beta"]


def test_summaries_keep_the_requested_order(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_of(entry(1), entry(2), entry(3)))
    ids = store.article_ids(ArticleQuery())
    wanted = [ids[2], ids[0], 999_999]
    assert [s.id for s in store.summaries(wanted)] == [ids[2], ids[0]]


def test_read_star_recommend_are_logged_as_events(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_of(entry(1), entry(2)))
    first, second = store.article_ids(ArticleQuery())
    store.open_article(first)
    store.set_read([second])
    store.set_recommended(first, True)
    store.set_recommended(first, False)
    store.set_starred(first, True)
    kinds = [(e.article_id, e.kind) for e in store.events()]
    assert kinds == [
        (first, "open"),
        (second, "skip"),
        (first, "recommend"),
        (first, "unrecommend"),
        (first, "star"),
    ]
    article = store.get_article(first)
    assert article is not None and article.read and article.starred and not article.recommended


def test_flags_on_several_articles_at_once_change_only_what_differs(store: Store) -> None:
    """The app's selection (v then s or r): one transaction, an event per changed article."""
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_of(*(entry(n) for n in range(1, 5))))
    ids = store.article_ids(ArticleQuery())
    store.set_starred(ids[0], True)
    changed = store.set_flag_many([ids[0], ids[1], ids[2], 999_999], "starred", True)
    assert sorted(changed) == sorted([ids[1], ids[2]])
    assert [s.starred for s in store.summaries(ids)] == [True, True, True, False]
    stars = [e.article_id for e in store.events() if e.kind == "star"]
    assert sorted(stars) == sorted(ids[:3])
    assert store.set_flag_many(ids[:3], "starred", True) == []
    assert sorted(store.set_flag_many(ids, "recommended", True)) == sorted(ids)
    assert sorted(store.set_flag_many(ids[:2], "recommended", False)) == sorted(ids[:2])
    kinds = [e.kind for e in store.events()]
    assert kinds.count("recommend") == 4 and kinds.count("unrecommend") == 2


def test_mark_view_read_returns_ids_for_undo(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_of(entry(1), entry(2), entry(3)))
    changed = store.mark_query_read(ArticleQuery(feed_id=feed.id))
    assert len(changed) == 3
    assert store.count_articles(ArticleQuery(unread_only=True)) == 0
    store.set_read(changed, False)
    assert store.count_articles(ArticleQuery(unread_only=True)) == 3


def test_search_ranks_title_matches_first_and_survives_syntax(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(
        store,
        feed.id,
        feed_of(
            entry(1, title="Harbour news", summary_html="<p>Cable ships</p>"),
            entry(2, title="Cable laid under the sea", summary_html="<p>Fibre</p>"),
        ),
    )
    ids = store.search_ids("cable")
    titles = [s.title for s in store.summaries(ids)]
    assert titles == ["Cable laid under the sea", "Harbour news"]
    assert store.search_ids('"unbalanced AND (') == []
    assert store.search_ids("snake_case OR x-y") == []  # no phrase the index cannot answer
    assert store.search_ids("cab") == ids  # prefix on the last word
    # The app's view wants the newest matches, unranked (cheaper on a big cache).
    assert store.search_ids("cable", rank=False) == sorted(ids, reverse=True)


def test_remove_feed_removes_its_articles_and_index(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_of(entry(1)))
    store.remove_feed(feed.id)
    assert store.article_ids(ArticleQuery()) == []
    assert store.search_ids("fibre") == []


def test_failures_back_off_and_success_resets(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    store.record_failure(feed.id, "HTTP 500")
    store.record_failure(feed.id, "HTTP 500")
    failing = store.get_feed(feed.id)
    assert failing.consecutive_failures == 2 and failing.last_error == "HTTP 500"
    assert failing.next_fetch_after is not None
    assert store.due_feed_ids(timedelta(hours=1)) == []
    store.record_not_modified(feed.id, bytes_downloaded=0, etag='"x"')
    ok = store.get_feed(feed.id)
    assert ok.consecutive_failures == 0 and ok.last_error is None and ok.etag == '"x"'


def test_enclosures_and_categories_round_trip(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    podcast = entry(
        1,
        categories=("Science", "Sea"),
        enclosures=(Enclosure("https://example.org/ep1.mp3", "audio/mpeg", 1234),),
    )
    put(store, feed.id, feed_of(podcast))
    [article_id] = store.article_ids(ArticleQuery())
    article = store.get_article(article_id)
    assert article is not None
    assert article.categories == ("Science", "Sea")
    assert article.enclosures == (Enclosure("https://example.org/ep1.mp3", "audio/mpeg", 1234),)


def test_far_future_dates_do_not_pin_an_article_to_the_top(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_of(entry(1), entry(2, published=datetime(9999, 1, 1, tzinfo=UTC))))
    [top, _] = store.list_articles(ArticleQuery())
    assert top.title == "Story 2"  # sorted at its first-seen time, which is "now" here
    assert top.sort_key == "2026-11-21T12:00:00Z"


def test_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "tuireader.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer tuireader"):
        Store(path)


def test_read_only_store_refuses_writes_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tuireader.db"
    Store(path).close()
    with Store(path, read_only=True) as store, pytest.raises(StoreReadOnlyError):
        store.add_feed("https://example.org/feed")


def test_saved_searches_are_kept_once_in_order(store: Store) -> None:
    assert store.saved_searches() == []
    store.save_search("fibre cable")
    store.save_search("  heat \x1b[2Jpumps ")
    assert store.save_search("fibre cable") == ["fibre cable", "heat pumps"]
    store.delete_saved_search("fibre cable")  # a saved search is named by its query
    assert store.saved_searches() == ["heat pumps"]


def test_titles_and_folders_people_type_are_cleaned_when_stored(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed", title="Mine\x1b[2J", folder="\u202eNews ")
    assert (feed.title, feed.folder) == ("Mine", "News")
    edited = store.update_feed(feed.id, title="\x1b]52;c;eA==\x07Renamed", folder="Tech\x07")
    assert (edited.title, edited.folder) == ("Renamed", "Tech")


def test_a_signal_for_an_article_removed_with_its_feed_is_dropped(store: Store) -> None:
    """The app records how long an article was read when it closes: the feed may be gone."""
    feed = store.add_feed("https://gone.example/feed")
    store.store_feed(
        feed.id,
        ParsedFeed("Gone", entries=(ParsedEntry("A", guid="a"),)),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    (article_id,) = store.article_ids(ArticleQuery(feed_id=feed.id))
    store.remove_feed(feed.id)
    before = len(store.events())
    store.record_event("read_long", article_id=article_id)
    assert len(store.events()) == before
