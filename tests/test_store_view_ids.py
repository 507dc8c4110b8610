"""A view's ids (``Store.article_ids``) come back in the order the view's SQL gives.

They are read as one ``group_concat`` text instead of a row each (issue 11: the list's first
paint on a 100,000-article library); this checks the order against the same query read row
by row, for every sort, with the filters and a limit, on a real SQLite file.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery, Sort, Store
from tuireader.store.articles import FEED_TITLE_SQL, _order, _where

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "tuireader.db", clock=lambda: T0 + timedelta(days=30))
    shuffle = random.Random(7)
    for f in range(3):
        feed = store.add_feed(f"https://example.org/{f}.xml")
        hours = list(range(200))
        shuffle.shuffle(hours)
        entries = tuple(
            ParsedEntry(
                title=f"Story {f}-{n}",
                guid=f"g{f}-{n}",
                link=f"https://example.org/{f}/{n}",
                # Some share a date (the id breaks the tie), some have none.
                published=None if n % 17 == 0 else T0 + timedelta(hours=hours[n] // 3),
            )
            for n in range(200)
        )
        store.store_feed(
            feed.id,
            ParsedFeed(title=f"Feed {'CBA'[f]}", entries=entries),
            body_hash=None,
            etag=None,
            last_modified=None,
            bytes_downloaded=0,
        )
    ids = store.article_ids(ArticleQuery())
    store.set_read(ids[::3], True)
    return store


def row_by_row(store: Store, query: ArticleQuery, limit: int | None = None) -> list[int]:
    """The view's query as it was read before: one row per id."""
    where, params = _where(query, store.now())
    join = " JOIN feeds f ON f.id = a.feed_id" if query.sort is Sort.FEED else ""
    feed_title = f", {FEED_TITLE_SQL} AS feed_title" if query.sort is Sort.FEED else ""
    sql = f"SELECT a.id{feed_title} FROM articles a{join}{where}{_order(query)}"
    if limit is not None:
        sql += f" LIMIT {limit}"
    with store.db.read() as conn:
        return [row[0] for row in conn.execute(sql, params)]


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("unread_only", [False, True])
def test_ids_in_the_views_order(store: Store, sort: Sort, unread_only: bool) -> None:
    query = ArticleQuery(sort=sort, unread_only=unread_only)
    ids = store.article_ids(query)
    assert len(ids) == (600 if not unread_only else 400)
    assert ids == row_by_row(store, query)
    assert store.article_ids(query, limit=25) == row_by_row(store, query, 25)


def test_an_empty_view_has_no_ids(store: Store) -> None:
    assert store.article_ids(ArticleQuery(feed_id=999)) == []
