"""Long life: retention, tombstones, compaction, per-feed intervals with back-off, and the
refresh log. Time is an injected clock the tests move."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpers.dbcheck import connect, consistency_problems
from tuireader.models import FullText, ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery, Store, retention
from tuireader.store.feeds import BACKOFF_CAP

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    return Store(tmp_path / "life.db", clock=clock)


def feed_doc(days: range, *, body: str = "cable news") -> ParsedFeed:
    """One entry per day number, published that many days before T0."""
    return ParsedFeed(
        title="Gazette",
        entries=tuple(
            ParsedEntry(
                title=f"Day {d}",
                guid=f"day-{d}",
                published=T0 - timedelta(days=d),
                content_html=f"<p>{body} {d}</p>",
            )
            for d in days
        ),
    )


def put(store: Store, feed_id: int, parsed: ParsedFeed) -> int:
    return store.store_feed(
        feed_id, parsed, body_hash=None, etag=None, last_modified=None, bytes_downloaded=0
    ).new


def ids_by_title(store: Store) -> dict[str, int]:
    return {s.title: s.id for s in store.list_articles(ArticleQuery(), limit=10_000)}


def titles(store: Store) -> set[str]:
    return set(ids_by_title(store))


def test_keep_days_deletes_only_old_read_unflagged_articles(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_doc(range(10)))
    ids = ids_by_title(store)
    store.set_read([ids[f"Day {d}"] for d in (0, 5, 6, 7, 8)])
    store.set_starred(ids["Day 7"], True)
    store.set_recommended(ids["Day 8"], True)
    result = store.cleanup(4, 0)
    assert result.deleted == 2  # days 5 and 6: old and read
    assert titles(store) == {f"Day {d}" for d in (0, 1, 2, 3, 4, 7, 8, 9)}
    # With unread included the unread old ones go too, starred and recommended never.
    assert store.cleanup(4, 0, include_unread=True).deleted == 1  # day 9
    assert titles(store) == {f"Day {d}" for d in (0, 1, 2, 3, 4, 7, 8)}
    assert store.cleanup(0, 0, include_unread=True).deleted == 0  # 0 keeps forever


def test_keep_per_feed_keeps_the_newest_of_each_feed(store: Store) -> None:
    a = store.add_feed("https://a.example.org/feed")
    b = store.add_feed("https://b.example.org/feed")
    put(store, a.id, feed_doc(range(6)))
    put(store, b.id, feed_doc(range(3)))
    store.mark_query_read(ArticleQuery())
    assert store.cleanup(0, 3).deleted == 3
    assert store.count_articles(ArticleQuery(feed_id=a.id)) == 3
    assert store.count_articles(ArticleQuery(feed_id=b.id)) == 3
    assert {s.title for s in store.list_articles(ArticleQuery(feed_id=a.id))} == {
        "Day 0",
        "Day 1",
        "Day 2",
    }


def test_deleted_articles_leave_no_orphans_and_do_not_come_back(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_doc(range(8), body="lighthouse"))
    ids = ids_by_title(store)
    for d in range(8):
        store.save_full_text(
            FullText(article_id=ids[f"Day {d}"], url="u", fetched_at=T0, markdown="page"),
            search_text="keeper",
        )
    store.open_article(ids["Day 7"])
    events_before = len(store.events())
    store.mark_query_read(ArticleQuery())
    assert store.cleanup(3, 0).deleted == 4
    assert consistency_problems(store.path) == []
    assert store.get_full_text(ids["Day 7"]) is None
    assert len(store.search_ids("lighthouse")) == 4 and len(store.search_ids("keeper")) == 4
    assert len(store.events()) >= events_before  # the signals stay, without the article
    # The feed still lists them: they are not new again. A really new entry is.
    assert put(store, feed.id, feed_doc(range(-1, 8), body="lighthouse")) == 1
    assert "Day 4" not in titles(store) and "Day -1" in titles(store)
    assert store.tombstone_count() == 4


def test_tombstones_expire_once_their_feed_stops_listing_them(store: Store, clock: Clock) -> None:
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_doc(range(4)))
    store.mark_query_read(ArticleQuery())
    store.cleanup(0, 1)
    assert store.tombstone_count() == 3
    # Day 1 is still in the feed a hundred days on; days 2 and 3 are not.
    clock.now = T0 + timedelta(days=100)
    put(store, feed.id, feed_doc(range(2)))
    clock.now = T0 + retention.TOMBSTONE_TTL + timedelta(days=1)
    store.cleanup(0, 0)
    assert store.tombstone_count() == 1
    assert put(store, feed.id, feed_doc(range(2))) == 0  # day 1 still does not come back


def test_cleanup_rechecks_state_in_its_transaction(store: Store) -> None:
    """A star set after the candidates were chosen protects the article."""
    feed = store.add_feed("https://example.org/feed")
    put(store, feed.id, feed_doc(range(3)))
    store.mark_query_read(ArticleQuery())
    ids = sorted(ids_by_title(store).values())
    store.set_starred(ids[0], True)
    assert store._delete_articles(ids, include_unread=False) == 2
    assert store.get_article(ids[0]) is not None


def test_vacuum_gives_the_space_back(store: Store) -> None:
    feed = store.add_feed("https://example.org/feed")
    rng = random.Random(1)
    parsed = ParsedFeed(
        title="Big",
        entries=tuple(
            ParsedEntry(
                title=f"Big {i}",
                guid=f"big-{i}",
                published=T0 - timedelta(days=i),
                content_html=rng.randbytes(8_000).hex(),
            )
            for i in range(200)
        ),
    )
    put(store, feed.id, parsed)
    store.mark_query_read(ArticleQuery())
    result = store.cleanup(0, 10, vacuum=True)
    assert result.deleted == 190 and result.vacuumed
    assert result.bytes_after < result.bytes_before / 4
    assert consistency_problems(store.path) == []
    assert store.count_articles(ArticleQuery()) == 10


# --- automatic refresh: intervals and back-off --------------------------------------------------


def test_due_feeds_honour_each_feeds_interval(store: Store, clock: Clock) -> None:
    hourly = store.add_feed("https://example.org/hourly")
    daily = store.add_feed("https://example.org/daily")
    store.update_feed(daily.id, refresh_interval=24 * 3600)
    default = timedelta(hours=1)
    assert store.due_feed_ids(default) == [hourly.id, daily.id]  # never fetched
    for feed in (hourly, daily):
        store.record_not_modified(feed.id, bytes_downloaded=0)
    clock.now = T0 + timedelta(minutes=59)
    assert store.due_feed_ids(default) == []
    clock.now = T0 + timedelta(hours=1)
    assert store.due_feed_ids(default) == [hourly.id]
    clock.now = T0 + timedelta(hours=24)
    assert store.due_feed_ids(default) == [hourly.id, daily.id]


def test_failing_feeds_back_off_exponentially_and_recover(store: Store, clock: Clock) -> None:
    feed = store.add_feed("https://example.org/flaky")
    every = timedelta(minutes=30)
    waits: list[timedelta] = []
    for _ in range(9):
        failed_at = clock.now
        store.record_failure(feed.id, "HTTP 503")
        # Find when it is due again, minute by minute from the failure.
        clock.now = failed_at
        while feed.id not in store.due_feed_ids(every):
            clock.now += timedelta(minutes=1)
        waits.append(clock.now - failed_at)
    minutes = [int(w.total_seconds() // 60) for w in waits]
    assert minutes[:5] == [30 + 15, 30 + 30, 30 + 60, 30 + 120, 30 + 240]
    assert max(waits) == every + BACKOFF_CAP  # capped
    store.record_not_modified(feed.id, bytes_downloaded=0)  # it works again
    clock.now += every
    assert store.due_feed_ids(every) == [feed.id]


def test_retry_after_is_honoured(store: Store, clock: Clock) -> None:
    feed = store.add_feed("https://example.org/busy")
    store.record_failure(feed.id, "HTTP 429", retry_after=6 * 3600)
    clock.now = T0 + timedelta(hours=5, minutes=59)
    assert store.due_feed_ids(timedelta(minutes=5)) == []
    clock.now = T0 + timedelta(hours=6)
    assert store.due_feed_ids(timedelta(minutes=5)) == [feed.id]


# --- the refresh log ----------------------------------------------------------------------------


def test_refreshes_are_recorded_for_the_data_saver(store: Store) -> None:
    first = store.record_refresh(T0, T0 + timedelta(seconds=3), 10, 4, 5, 1, 12, 40_000)
    store.record_refresh(
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=2),
        7,
        6,
        0,
        1,
        0,
        900_000,
        kind="full_text",
    )
    latest, earlier = store.recent_refreshes(10)
    assert earlier.id == first and earlier.kind == "feeds"
    assert (earlier.feeds, earlier.updated, earlier.not_modified, earlier.failed) == (10, 4, 5, 1)
    assert (earlier.new_articles, earlier.bytes_downloaded) == (12, 40_000)
    assert earlier.finished_at == T0 + timedelta(seconds=3)
    assert latest.kind == "full_text" and latest.bytes_downloaded == 900_000
    assert [r.kind for r in store.recent_refreshes(10, kind="feeds")] == ["feeds"]
    assert store.recent_refreshes(1) == [latest]
    assert store.bytes_downloaded_since(T0 + timedelta(seconds=30)) == 900_000
    with pytest.raises(ValueError):
        store.record_refresh(T0, T0, 0, 0, 0, 0, 0, 0, kind="bogus")  # type: ignore[arg-type]


def test_the_refresh_log_is_capped_by_cleanup(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "REFRESH_HISTORY", 3)
    for n in range(6):
        store.record_refresh(T0, T0, n, 0, 0, 0, 0, 0)
    store.cleanup(0, 0)
    assert [r.feeds for r in store.recent_refreshes(10)] == [5, 4, 3]
    conn = connect(store.path)
    assert conn.execute("SELECT count(*) FROM refreshes").fetchone()[0] == 3
    conn.close()


def test_the_reader_applies_the_retention_settings(tmp_path: Path) -> None:
    from tuireader.config import Config
    from tuireader.core import make_reader

    reader = make_reader(db_path=tmp_path / "r.db", config=Config(keep_per_feed=2))
    try:
        feed = reader.store.add_feed("https://example.org/feed")
        put(reader.store, feed.id, feed_doc(range(5)))
        reader.store.mark_query_read(ArticleQuery())
        assert reader.cleanup().deleted == 3
        reader.store.record_refresh(T0, T0, 1, 1, 0, 0, 5, 123)
        assert [r.bytes_downloaded for r in reader.refresh_history()] == [123]
    finally:
        reader.close()
