"""Articles: storing what a refresh parsed, and reading them back for lists and the reader."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tuireader.entryfacts import (
    EntryFacts,
    content_hash,
    encode_categories,
    encode_enclosures,
    entry_facts,
)
from tuireader.entryfacts import dedup_key as entry_dedup_key
from tuireader.models import Article, ArticleSummary, Enclosure, ParsedFeed
from tuireader.searchtext import search_text
from tuireader.store.base import FEED_TITLE_SQL, StoreBase
from tuireader.store.db import from_db_time, to_db_time
from tuireader.titles import title_from_text

#: How much of an article's text goes into the search index.
FTS_BODY_LIMIT = 20_000
#: A tombstone's ``seen_at`` is refreshed at most this often (not a write per refresh).
TOMBSTONE_SEEN_RESOLUTION = timedelta(days=1)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles a view shows, and in what order. All filters combine with AND."""

    feed_id: int | None = None
    folder: str | None = None
    unread_only: bool = False
    starred_only: bool = False
    recommended_only: bool = False
    since: datetime | None = None
    ids: tuple[int, ...] | None = None
    sort: Sort = Sort.NEWEST
    #: Rules hide articles from every view; ``is:hidden`` queries set this.
    include_hidden: bool = False


@dataclass(frozen=True, slots=True)
class StoreResult:
    new: int
    updated: int


#: The store's names for these (sync.py and the tests use them).
dedup_key = entry_dedup_key
_content_hash = content_hash
_encode_enclosures = encode_enclosures
_encode_categories = encode_categories


def decode_enclosures(raw: str | None) -> tuple[Enclosure, ...]:
    try:
        return tuple(Enclosure(*fields[:4]) for fields in json.loads(raw or "[]"))
    except (ValueError, TypeError):
        return ()


_SUMMARY_COLUMNS = f"""
    a.id, a.feed_id, {FEED_TITLE_SQL} AS feed_title,
    a.title, a.link, a.author, a.published, a.read, a.starred, a.recommended, a.sort_date,
    a.enclosures
"""


def _summary_from_row(row: sqlite3.Row) -> ArticleSummary:
    return ArticleSummary(
        id=row["id"],
        feed_id=row["feed_id"],
        feed_title=row["feed_title"],
        title=row["title"],
        link=row["link"],
        author=row["author"],
        published=from_db_time(row["published"]),
        read=bool(row["read"]),
        starred=bool(row["starred"]),
        recommended=bool(row["recommended"]),
        sort_key=row["sort_date"],
        enclosures=() if row["enclosures"] == "[]" else decode_enclosures(row["enclosures"]),
    )


def _where(query: ArticleQuery, now: datetime) -> tuple[str, list[object]]:
    clauses: list[str] = [] if query.include_hidden else ["a.hidden = 0"]
    params: list[object] = []
    if query.feed_id is not None:
        clauses.append("a.feed_id = ?")
        params.append(query.feed_id)
    if query.folder is not None:
        clauses.append("a.feed_id IN (SELECT id FROM feeds WHERE folder = ?)")
        params.append(query.folder)
    if query.unread_only:
        clauses.append("a.read = 0")
    if query.starred_only:
        clauses.append("a.starred = 1")
    if query.recommended_only:
        clauses.append("a.recommended = 1")
    if query.since is not None:
        clauses.append("a.sort_date >= ?")
        params.append(to_db_time(query.since))
    if query.ids is not None:
        clauses.append(f"a.id IN ({','.join('?' * len(query.ids))})")
        params.extend(query.ids)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _order(query: ArticleQuery) -> str:
    if query.recommended_only and query.sort is Sort.NEWEST:
        return " ORDER BY a.recommended_at DESC, a.id DESC"
    if query.sort is Sort.OLDEST:
        return " ORDER BY a.sort_date ASC, a.id ASC"
    if query.sort is Sort.FEED:
        return " ORDER BY feed_title COLLATE NOCASE, a.feed_id, a.sort_date DESC, a.id DESC"
    return " ORDER BY a.sort_date DESC, a.id DESC"


def _is_tombstoned(
    conn: sqlite3.Connection,
    feed_id: int,
    key: str,
    now: datetime,
    tombstones: dict[str, str] | None = None,
) -> bool:
    """Whether retention deleted this article; notes that the feed still lists it.

    ``tombstones`` is the feed's (dedup_key -> seen_at), read once for a whole feed
    (:func:`_tombstones`) instead of one query per entry.
    """
    if tombstones is not None:
        seen_at = tombstones.get(key)
    else:
        row = conn.execute(
            "SELECT seen_at FROM deleted_articles WHERE feed_id = ? AND dedup_key = ?",
            (feed_id, key),
        ).fetchone()
        seen_at = row[0] if row is not None else None
    if seen_at is None:
        return False
    stale = to_db_time(now - TOMBSTONE_SEEN_RESOLUTION)
    if stale is not None and seen_at < stale:
        conn.execute(
            "UPDATE deleted_articles SET seen_at = ? WHERE feed_id = ? AND dedup_key = ?",
            (to_db_time(now), feed_id, key),
        )
    return True


def _tombstones(conn: sqlite3.Connection, feed_id: int) -> dict[str, str]:
    return dict(
        conn.execute(
            "SELECT dedup_key, seen_at FROM deleted_articles WHERE feed_id = ?", (feed_id,)
        ).fetchall()
    )


def _backlog_dates(parsed: ParsedFeed, latest_sensible: datetime) -> list[datetime | None]:
    """For each undated entry of a feed's first document, a date that keeps the feed's
    own order: a second above the nearest dated entry listed after it (feeds list newest
    first), else a second below the one before it; None for dated entries or no dates.

    So a backlog's undated entries neither float above every dated one nor count as
    arriving today; an undated entry that turns up in a later refresh is dated when it
    was first seen, which is then news.
    """
    sensible = [
        e.published if e.published is not None and e.published <= latest_sensible else None
        for e in parsed.entries
    ]
    result: list[datetime | None] = [None] * len(sensible)
    following: datetime | None = None
    steps = 0
    for i in range(len(sensible) - 1, -1, -1):
        date = sensible[i]
        if date is not None:
            following, steps = date, 0
        elif following is not None:
            steps += 1
            result[i] = following + timedelta(seconds=steps)
    preceding: datetime | None = None
    steps = 0
    for i, date in enumerate(sensible):
        if date is not None:
            preceding, steps = date, 0
        elif result[i] is None and preceding is not None:
            steps += 1
            result[i] = preceding - timedelta(seconds=steps)
    # A date in the future is the feed's mistake, not an unknown: it sorts as first seen.
    return [r if e.published is None else None for r, e in zip(result, parsed.entries, strict=True)]


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """One refreshed feed to store: what was parsed and the response's validators."""

    feed_id: int
    parsed: ParsedFeed
    body_hash: str | None
    etag: str | None
    last_modified: str | None
    bytes_downloaded: int
    #: Each entry's :func:`~tuireader.entryfacts.entry_facts`, when the parse worker made
    #: them (None: the store makes them).
    facts: Sequence[EntryFacts] | None = None


class ArticlesMixin(StoreBase):
    def store_feeds(self, updates: list[FeedUpdate]) -> list[StoreResult]:
        """Store several refreshed feeds in ONE transaction (all of them, or none).

        Each feed is still whole or absent after a crash, and its validators are only ever
        saved with its articles. One transaction for several feeds is cheaper than one
        each: the search index flushes and merges a segment per transaction, which made up
        most of a cold refresh's store CPU (see bench/refresh_bench.py).
        """
        with self.db.write():  # store_feed's own write() joins this transaction
            return [
                self.store_feed(
                    u.feed_id,
                    u.parsed,
                    body_hash=u.body_hash,
                    etag=u.etag,
                    last_modified=u.last_modified,
                    bytes_downloaded=u.bytes_downloaded,
                    facts=u.facts,
                )
                for u in updates
            ]

    def store_feed(
        self,
        feed_id: int,
        parsed: ParsedFeed,
        *,
        body_hash: str | None,
        etag: str | None,
        last_modified: str | None,
        bytes_downloaded: int,
        facts: Sequence[EntryFacts] | None = None,
    ) -> StoreResult:
        """Store one refreshed feed in one transaction: an interruption loses no other feed.

        New articles are inserted; an article whose content changed is updated in place and
        keeps its read, star and recommend state. ``facts`` are the entries'
        :func:`~tuireader.entryfacts.entry_facts` when the caller made them already.
        New articles and index rows are written with one ``executemany`` each, their ids
        given here (the next after the largest: what SQLite would choose, and this
        transaction is the only writer).
        """
        if facts is not None and len(facts) != len(parsed.entries):
            raise ValueError("one EntryFacts per entry")
        now = self.now()
        now_text = to_db_time(now)
        assert now_text is not None
        latest_sensible = now + timedelta(days=1)
        new = updated = 0
        new_ids: list[int] = []
        with self.db.write() as conn:
            existing = {
                row[0]: (row[1], row[2])
                for row in conn.execute(
                    "SELECT dedup_key, id, content_hash FROM articles WHERE feed_id = ?",
                    (feed_id,),
                )
            }
            # A feed's first document is its backlog: there, "first seen now" says nothing
            # about an undated entry, which would float above every dated one.
            undated_dates = _backlog_dates(parsed, latest_sensible) if not existing else None
            tombstones = _tombstones(conn, feed_id)
            seen: set[str] = set()
            new_rows: list[tuple[object, ...]] = []
            index_rows: list[tuple[int, str, str, str]] = []
            next_id = 0
            for position, entry in enumerate(parsed.entries):
                key, published_text, updated_text, digest, categories, enclosures = (
                    facts[position] if facts is not None else entry_facts(entry)
                )
                if key in seen:
                    continue  # a feed repeating a guid: the first occurrence wins
                seen.add(key)
                found = existing.get(key)
                if found is None and _is_tombstoned(conn, feed_id, key, now, tombstones):
                    continue  # deleted by retention: it must not come back as new
                if found is not None and found[1] == digest:
                    continue
                published = entry.published
                if published is not None and published <= latest_sensible:
                    sort_date = published_text
                else:  # undated (or dated in the future): when it was first seen
                    sort_date = now_text
                    if undated_dates is not None and undated_dates[position] is not None:
                        sort_date = to_db_time(undated_dates[position])
                body = (
                    entry.search_text
                    if entry.search_text is not None
                    else search_text(entry.content_html or entry.summary_html)
                )
                title = entry.title or title_from_text(body)
                values = (
                    entry.guid,
                    entry.link,
                    title,
                    entry.author,
                    published_text,
                    updated_text,
                    entry.summary_html,
                    entry.content_html,
                    categories,
                    enclosures,
                    digest,
                )
                if found is None:
                    if not next_id:
                        largest = conn.execute("SELECT max(id) FROM articles").fetchone()[0]
                        next_id = (largest or 0) + 1
                    article_id = next_id
                    next_id += 1
                    new_rows.append((article_id, *values, feed_id, key, now_text, sort_date))
                    new_ids.append(article_id)
                    new += 1
                else:
                    article_id = found[0]
                    conn.execute(
                        """UPDATE articles SET guid = ?, link = ?, title = ?, author = ?,
                           published = ?, updated = ?, summary_html = ?, content_html = ?,
                           categories = ?, enclosures = ?, content_hash = ? WHERE id = ?""",
                        (*values, article_id),
                    )
                    conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
                    updated += 1
                index_rows.append((article_id, title, entry.author or "", body))
            if new_rows:
                conn.executemany(
                    """INSERT INTO articles (id, guid, link, title, author, published, updated,
                       summary_html, content_html, categories, enclosures, content_hash,
                       feed_id, dedup_key, first_seen, sort_date)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    new_rows,
                )
            if index_rows:
                conn.executemany(
                    "INSERT INTO articles_fts (rowid, title, author, body) VALUES (?, ?, ?, ?)",
                    index_rows,
                )
            self.after_insert(conn, feed_id, new_ids)
            conn.execute(
                """UPDATE feeds SET title = coalesce(?, title), site_url = coalesce(?, site_url),
                   description = coalesce(?, description), etag = ?, last_modified = ?,
                   body_hash = ?, last_fetched_at = ?, last_updated_at = ?, last_error = NULL,
                   consecutive_failures = 0, next_fetch_after = NULL, gone = 0,
                   bytes_downloaded = bytes_downloaded + ? WHERE id = ?""",
                (
                    parsed.title or None,
                    parsed.site_url,
                    parsed.description,
                    etag,
                    last_modified,
                    body_hash,
                    now_text,
                    now_text if (new or updated) else None,
                    bytes_downloaded,
                    feed_id,
                ),
            )
        return StoreResult(new, updated)

    def article_ids(self, query: ArticleQuery, *, limit: int | None = None) -> list[int]:
        """The ids of a view in display order: cheap even for 100,000 articles.

        They come back as one text (``group_concat`` over the ordered query), not a row
        each: the sqlite3 module gives up and takes back the GIL for every row, so reading
        50,000 rows in a worker while the event loop lays out the first screen made each
        wait for the other (the list's first paint waited 100-150 ms more for its ids).
        SQLite keeps a FROM subquery's ORDER BY when the outer query aggregates with
        anything but count/min/max, so the ids keep their order.
        """
        where, params = _where(query, self.now())
        join = " JOIN feeds f ON f.id = a.feed_id" if query.sort is Sort.FEED else ""
        feed_title = f", {FEED_TITLE_SQL} AS feed_title" if query.sort is Sort.FEED else ""
        sql = f"SELECT a.id{feed_title} FROM articles a{join}{where}{_order(query)}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.db.read() as conn:
            joined = conn.execute(f"SELECT group_concat(id) FROM ({sql})", params).fetchone()[0]
        return list(map(int, joined.split(","))) if joined else []

    def count_articles(self, query: ArticleQuery) -> int:
        where, params = _where(query, self.now())
        with self.db.read() as conn:
            return int(
                conn.execute(f"SELECT count(*) FROM articles a{where}", params).fetchone()[0]
            )

    def summaries(self, ids: list[int] | tuple[int, ...]) -> list[ArticleSummary]:
        """List rows for these ids, in the order given (missing ids are left out)."""
        found: dict[int, ArticleSummary] = {}
        with self.db.read() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = conn.execute(
                    f"""SELECT {_SUMMARY_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id
                        WHERE a.id IN ({",".join("?" * len(chunk))})""",
                    tuple(chunk),
                ).fetchall()
                for row in rows:
                    found[row["id"]] = _summary_from_row(row)
        return [found[i] for i in ids if i in found]

    def list_articles(
        self, query: ArticleQuery, *, limit: int = 100, offset: int = 0
    ) -> list[ArticleSummary]:
        where, params = _where(query, self.now())
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id"
            f"{where}{_order(query)} LIMIT ? OFFSET ?"
        )
        with self.db.read() as conn:
            rows = conn.execute(sql, (*params, limit, offset)).fetchall()
        return [_summary_from_row(row) for row in rows]

    def iter_articles(
        self, query: ArticleQuery, *, limit: int | None = None, chunk: int = 1_000
    ) -> Generator[ArticleSummary, None, None]:
        """A view's rows in display order, read from one cursor ``chunk`` rows at a time.

        For one-thread consumers that print as they go (``tuireader list --limit 0``):
        memory stays flat at any size. The store's lock and one read snapshot are held
        until the iterator is exhausted or closed, so close it (``contextlib.closing``).
        """
        where, params = _where(query, self.now())
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id"
            f"{where}{_order(query)}"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.db.read() as conn:
            cursor = conn.execute(sql, params)
            try:
                while rows := cursor.fetchmany(chunk):
                    yield from (_summary_from_row(row) for row in rows)
            finally:
                cursor.close()

    def get_article(self, article_id: int) -> Article | None:
        with self.db.read() as conn:
            row = conn.execute(
                f"""SELECT a.*, {FEED_TITLE_SQL} AS feed_title
                   FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        try:
            categories = tuple(str(c) for c in json.loads(row["categories"] or "[]"))
        except ValueError:
            categories = ()
        return Article(
            id=row["id"],
            feed_id=row["feed_id"],
            feed_title=row["feed_title"],
            title=row["title"],
            link=row["link"],
            guid=row["guid"],
            author=row["author"],
            published=from_db_time(row["published"]),
            updated=from_db_time(row["updated"]),
            summary_html=row["summary_html"],
            content_html=row["content_html"],
            categories=categories,
            enclosures=decode_enclosures(row["enclosures"]),
            read=bool(row["read"]),
            starred=bool(row["starred"]),
            recommended=bool(row["recommended"]),
            recommend_count=int(row["recommended"]),
            first_seen=from_db_time(row["first_seen"]),
            read_at=from_db_time(row["read_at"]),
            starred_at=from_db_time(row["starred_at"]),
            recommended_at=from_db_time(row["recommended_at"]),
        )
