"""Subscriptions and what the last fetch of each told us."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from tuireader.models import Feed, FullTextMode
from tuireader.sanitize import clean_line
from tuireader.store.base import FEED_TITLE_SQL, StoreBase
from tuireader.store.db import StoreError, from_db_time, to_db_time

# Back-off after consecutive failures: 15 min, 30 min, 1 h ... capped at a day.
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_CAP = timedelta(days=1)


#: (URL, user title, folder, site URL) of a feed an import subscribes to.
ImportedFeed = tuple[str, str | None, str | None, str | None]

#: (feed id, bytes downloaded, ETag, Last-Modified) of a feed that did not change.
NotModified = tuple[int, int, str | None, str | None]


class FeedExistsError(StoreError):
    def __init__(self, feed: Feed) -> None:
        super().__init__(f"already subscribed to {feed.url} ({feed.title})")
        self.feed = feed


class NoSuchFeedError(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the refresh needs to make a conditional request and skip unchanged bodies."""

    feed_id: int
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None


_FEED_COLUMNS = f"""
    f.id, f.url, {FEED_TITLE_SQL} AS title, f.folder,
    f.site_url, f.last_error, f.consecutive_failures, f.last_fetched_at, f.next_fetch_after,
    f.gone, f.muted, f.full_text, f.refresh_interval, f.etag, f.last_modified
"""


def backoff_delay(failures: int) -> timedelta:
    if failures <= 0:
        return timedelta(0)
    delay: timedelta = BACKOFF_BASE * (2 ** min(failures - 1, 16))
    return min(delay, BACKOFF_CAP)


def _feed_from_row(row: sqlite3.Row, unread: int = 0, total: int = 0) -> Feed:
    try:
        mode = FullTextMode(row["full_text"])
    except ValueError:
        mode = FullTextMode.AUTO
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        folder=row["folder"],
        site_url=row["site_url"],
        unread=unread,
        total=total,
        last_error=row["last_error"],
        consecutive_failures=row["consecutive_failures"],
        last_fetched=from_db_time(row["last_fetched_at"]),
        next_fetch_after=from_db_time(row["next_fetch_after"]),
        gone=bool(row["gone"]),
        muted=bool(row["muted"]),
        full_text=mode,
        refresh_interval=row["refresh_interval"],
        etag=row["etag"],
        last_modified=row["last_modified"],
    )


class FeedsMixin(StoreBase):
    def add_feed(self, url: str, *, title: str | None = None, folder: str | None = None) -> Feed:
        with self.db.write() as conn:
            existing = conn.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.url = ?", (url,)
            ).fetchone()
            if existing is not None:
                raise FeedExistsError(_feed_from_row(existing))
            cursor = conn.execute(
                "INSERT INTO feeds (url, user_title, folder, added_at) VALUES (?, ?, ?, ?)",
                (
                    url,
                    clean_line(title) or None,
                    clean_line(folder) or None,
                    to_db_time(self.now()),
                ),
            )
            feed_id = cursor.lastrowid
        assert feed_id is not None
        return self.get_feed(feed_id)

    def add_feeds(self, rows: Sequence[ImportedFeed]) -> list[str]:
        """Subscribe to many feeds in one transaction (an import); returns the URLs added.

        URLs already subscribed are skipped, not errors. One transaction per batch instead
        of one per feed is what makes a 100,000-outline import take seconds, not minutes.
        """
        now = to_db_time(self.now())
        with self.db.write() as conn:
            (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM feeds").fetchone()
            conn.executemany(
                "INSERT OR IGNORE INTO feeds (url, user_title, folder, site_url, added_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    (url, clean_line(title) or None, clean_line(folder) or None, site_url, now)
                    for url, title, folder, site_url in rows
                ),
            )
            # Ids only grow and the write lock is held: the new rows are those past last_id.
            added = conn.execute(
                "SELECT url FROM feeds WHERE id > ? ORDER BY id", (last_id,)
            ).fetchall()
        return [row[0] for row in added]

    def feed_urls(self) -> list[str]:
        """Every subscribed URL, for an import to tell new feeds from known ones."""
        with self.db.read() as conn:
            return [row[0] for row in conn.execute("SELECT url FROM feeds")]

    def get_feed(self, feed_id: int) -> Feed:
        with self.db.read() as conn:
            row = conn.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.id = ?", (feed_id,)
            ).fetchone()
            if row is None:
                raise NoSuchFeedError(f"no feed with id {feed_id}")
            unread, total = conn.execute(
                "SELECT count(*) FILTER (WHERE read = 0), count(*) FROM articles WHERE feed_id = ?",
                (feed_id,),
            ).fetchone()
        return _feed_from_row(row, unread, total)

    def find_feed(self, id_or_url: str | int) -> Feed:
        """A feed by id, exact URL, or (unambiguous) title."""
        text = str(id_or_url).strip()
        if text.isdigit():
            return self.get_feed(int(text))
        with self.db.read() as conn:
            rows = conn.execute(
                """SELECT f.id FROM feeds f WHERE f.url = ?
                    UNION ALL SELECT f.id FROM feeds f
                    WHERE lower(coalesce(f.user_title, f.title)) = lower(?)""",
                (text, text),
            ).fetchall()
        ids = list(dict.fromkeys(row[0] for row in rows))
        if not ids:
            raise NoSuchFeedError(f"no feed matches {text!r}")
        if len(ids) > 1:
            raise NoSuchFeedError(f"{text!r} matches {len(ids)} feeds; use the id")
        return self.get_feed(ids[0])

    def list_feeds(self) -> list[Feed]:
        with self.db.read() as conn:
            # Two index-only scans (articles_by_feed, articles_unread_by_feed): a few ms
            # for 100,000 articles, where one pass with a FILTER reads every row (~100 ms).
            totals = dict(
                conn.execute("SELECT feed_id, count(*) FROM articles GROUP BY feed_id").fetchall()
            )
            unread = dict(
                conn.execute(
                    "SELECT feed_id, count(*) FROM articles WHERE read = 0 GROUP BY feed_id"
                ).fetchall()
            )
            rows = conn.execute(
                f"""SELECT {_FEED_COLUMNS} FROM feeds f
                    ORDER BY coalesce(f.folder, '') COLLATE NOCASE,
                             {FEED_TITLE_SQL} COLLATE NOCASE"""
            ).fetchall()
        return [
            _feed_from_row(row, unread.get(row["id"], 0), totals.get(row["id"], 0)) for row in rows
        ]

    def update_feed(
        self,
        feed_id: int,
        *,
        title: str | None = None,
        folder: str | None = None,
        full_text: FullTextMode | None = None,
        muted: bool | None = None,
        refresh_interval: int | None = None,
    ) -> Feed:
        """Change what the user controls. An empty string clears title or folder."""
        changes: dict[str, object] = {}
        if title is not None:
            changes["user_title"] = clean_line(title) or None
        if folder is not None:
            changes["folder"] = clean_line(folder) or None
        if full_text is not None:
            changes["full_text"] = full_text.value
        if muted is not None:
            changes["muted"] = int(muted)
        if refresh_interval is not None:
            changes["refresh_interval"] = refresh_interval or None
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            with self.db.write() as conn:
                cursor = conn.execute(
                    f"UPDATE feeds SET {assignments} WHERE id = ?", (*changes.values(), feed_id)
                )
                if cursor.rowcount == 0:
                    raise NoSuchFeedError(f"no feed with id {feed_id}")
                if muted is not None:
                    conn.execute(
                        "INSERT INTO events (feed_id, kind, at) VALUES (?, ?, ?)",
                        (feed_id, "mute_feed" if muted else "unmute_feed", to_db_time(self.now())),
                    )
        return self.get_feed(feed_id)

    def remove_feed(self, feed_id: int) -> Feed:
        feed = self.get_feed(feed_id)
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM articles_fts WHERE rowid IN "
                "(SELECT id FROM articles WHERE feed_id = ?)",
                (feed_id,),
            )
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return feed

    def has_feeds(self) -> bool:
        """Whether any feed is subscribed (without list_feeds' per-feed article counts)."""
        with self.db.read() as conn:
            return conn.execute("SELECT 1 FROM feeds LIMIT 1").fetchone() is not None

    def fetch_states(self, feed_ids: list[int] | None = None) -> list[FetchState]:
        query = "SELECT id, url, etag, last_modified, body_hash FROM feeds WHERE gone = 0"
        params: tuple[int, ...] = ()
        if feed_ids is not None:
            marks = ",".join("?" * len(feed_ids))
            query = (
                f"SELECT id, url, etag, last_modified, body_hash FROM feeds WHERE id IN ({marks})"
            )
            params = tuple(feed_ids)
        with self.db.read() as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [FetchState(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def due_feed_ids(self, default_interval: timedelta) -> list[int]:
        """Feeds an automatic refresh should fetch now.

        A feed is due once its own interval (else ``default_interval``) has passed since
        its last fetch; a failing feed waits its back-off on top of that (15 min, 30 min,
        1 h ... a day after n failures in a row), and never before a server's Retry-After.
        """
        now = self.now()
        due: list[int] = []
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT id, last_fetched_at, next_fetch_after, refresh_interval, "
                "consecutive_failures FROM feeds WHERE gone = 0 ORDER BY id"
            ).fetchall()
        for feed_id, last_fetched, next_after, interval, failures in rows:
            not_before = from_db_time(next_after)
            if not_before is not None and not_before > now:
                continue
            last = from_db_time(last_fetched)
            every = timedelta(seconds=interval) if interval else default_interval
            if last is None or last + every + backoff_delay(failures) <= now:
                due.append(feed_id)
        return due

    def record_not_modified(
        self,
        feed_id: int,
        *,
        bytes_downloaded: int,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """A 304, or a body identical to the last one: only the bookkeeping changes."""
        self.record_not_modified_many([(feed_id, bytes_downloaded, etag, last_modified)])

    def record_not_modified_many(self, feeds: Sequence[NotModified]) -> None:
        """Bookkeeping for many unchanged feeds in one transaction (a warm refresh's bulk)."""
        now = to_db_time(self.now())
        with self.db.write() as conn:
            conn.executemany(
                """UPDATE feeds SET last_fetched_at = ?, last_error = NULL,
                   consecutive_failures = 0, next_fetch_after = NULL,
                   etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),
                   bytes_downloaded = bytes_downloaded + ? WHERE id = ?""",
                [(now, etag, modified, size, feed_id) for feed_id, size, etag, modified in feeds],
            )

    def record_failure(
        self,
        feed_id: int,
        reason: str,
        *,
        bytes_downloaded: int = 0,
        retry_after: float | None = None,
        gone: bool = False,
    ) -> None:
        """Keep the reason and back off; the articles already stored stay as they are."""
        now = self.now()
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT consecutive_failures FROM feeds WHERE id = ?", (feed_id,)
            ).fetchone()
            if row is None:
                return
            failures = row[0] + 1
            delay = backoff_delay(failures)
            if retry_after is not None:
                delay = max(delay, timedelta(seconds=min(retry_after, BACKOFF_CAP.total_seconds())))
            conn.execute(
                """UPDATE feeds SET last_fetched_at = ?, last_error = ?,
                   consecutive_failures = ?, next_fetch_after = ?, gone = max(gone, ?),
                   bytes_downloaded = bytes_downloaded + ? WHERE id = ?""",
                (
                    to_db_time(now),
                    reason,
                    failures,
                    to_db_time(now + delay),
                    int(gone),
                    bytes_downloaded,
                    feed_id,
                ),
            )

    def move_feed_url(self, feed_id: int, new_url: str) -> bool:
        """Follow a permanent redirect; False when another feed already has that URL."""
        with self.db.write() as conn:
            taken = conn.execute(
                "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (new_url, feed_id)
            ).fetchone()
            if taken:
                return False
            conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, feed_id))
        return True

    def folders(self) -> list[str]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT folder FROM feeds WHERE folder IS NOT NULL ORDER BY folder"
            ).fetchall()
        return [row[0] for row in rows]
