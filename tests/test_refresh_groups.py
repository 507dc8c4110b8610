"""Parsed feeds that queue up for the writer are stored several per transaction.

Each feed stays whole or absent (a group commits or rolls back as one), and one feed that
cannot be stored does not take the others of its group down with it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from feedgen import rss
from tuireader.core import make_reader
from tuireader.parse import parse_feed
from tuireader.refresh import STORE_GROUP_FEEDS, Refresher
from tuireader.store import ArticleQuery, FeedUpdate, Store, StoreError


def _updates(store: Store, count: int) -> list[FeedUpdate]:
    updates = []
    for n in range(count):
        url = f"https://e{n}.example.org/feed.xml"
        feed = store.add_feed(url)
        parsed = parse_feed(
            rss(title=f"Feed {n}", items=4, link=f"https://e{n}.example.org/"), url=url
        )
        updates.append(FeedUpdate(feed.id, parsed, f"hash{n}", f'"etag{n}"', None, 100))
    return updates


def _count_commits(store: Store) -> list[str]:
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    return statements


def test_a_group_is_one_transaction_and_all_or_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "groups.db")
    good, gone = _updates(store, 2)
    store.remove_feed(gone.feed_id)
    with pytest.raises(StoreError):
        store.store_feeds([good, gone])
    # Rolled back as one: the good feed's articles and validators were not kept either.
    assert store.count_articles(ArticleQuery()) == 0
    assert store.fetch_states([good.feed_id])[0].etag is None

    statements = _count_commits(store)
    results = store.store_feeds([good])
    assert [(r.new, r.updated) for r in results] == [(4, 0)]
    assert statements.count("COMMIT") == 1
    assert store.fetch_states([good.feed_id])[0].etag == '"etag0"'


async def test_feeds_queued_together_share_a_transaction(tmp_path: Path) -> None:
    reader = make_reader(db_path=tmp_path / "queued.db")
    updates = _updates(reader.store, 5)
    statements = _count_commits(reader.store)
    async with reader.make_fetcher() as fetcher:
        refresher = Refresher(reader.store, fetcher)
        results = await asyncio.gather(*(refresher.store_parsed(u) for u in updates))
    assert [r.new for r in results] == [4] * 5
    assert statements.count("COMMIT") == 1
    assert reader.store.count_articles(ArticleQuery()) == 20
    assert {s.etag for s in reader.store.fetch_states(None)} == {f'"etag{n}"' for n in range(5)}


async def test_a_feed_that_cannot_be_stored_fails_alone_in_its_group(tmp_path: Path) -> None:
    reader = make_reader(db_path=tmp_path / "removed.db")
    updates = _updates(reader.store, STORE_GROUP_FEEDS + 3)
    removed = updates[2]
    # Removed while its refresh ran: storing its articles breaks the foreign key.
    reader.store.remove_feed(removed.feed_id)
    async with reader.make_fetcher() as fetcher:
        refresher = Refresher(reader.store, fetcher)
        results = await asyncio.gather(
            *(refresher.store_parsed(u) for u in updates), return_exceptions=True
        )
    assert isinstance(results[2], StoreError)
    assert all(
        not isinstance(r, BaseException) and r.new == 4 for i, r in enumerate(results) if i != 2
    )
    assert reader.store.count_articles(ArticleQuery()) == 4 * (len(updates) - 1)
