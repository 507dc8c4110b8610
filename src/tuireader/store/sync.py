"""A synced library's bookkeeping: the account, the server's ids, the pending queue.

The server's feeds and items are mapped to ours (``sync_feeds``, ``sync_items``); state
changes wait in ``sync_queue`` (see :mod:`tuireader.store.syncqueue`) until pushed.

Conflict rule: an article with a change still in the queue keeps its local state when
the server's state is pulled (the local change is newer than anything the server said
before it was pushed); every other article takes the server's read and starred state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tuireader.models import ParsedEntry
from tuireader.sanitize import clean_line, safe_link
from tuireader.searchtext import search_text
from tuireader.store.articles import _content_hash, _is_tombstoned
from tuireader.store.base import StoreBase
from tuireader.store.db import from_db_time, to_db_time
from tuireader.sync.types import QueuedAction, RemoteFeed, RemoteItem, SyncAccount, SyncKind


@dataclass(frozen=True, slots=True)
class FeedChanges:
    added: int = 0
    removed: int = 0
    changed: int = 0


class SyncMixin(StoreBase):
    # --- the account ----------------------------------------------------------------------

    def sync_account(self) -> SyncAccount | None:
        with self.db.read() as conn:
            row = conn.execute(
                """SELECT kind, url, user, password_command, password_file, insecure_http,
                   cursor, last_sync, last_error FROM sync_account WHERE id = 1"""
            ).fetchone()
        if row is None:
            return None
        return SyncAccount(
            kind=SyncKind(row[0]),
            url=row[1],
            user=row[2],
            password_command=row[3],
            password_file=row[4],
            insecure_http=bool(row[5]),
            cursor=row[6],
            last_sync=from_db_time(row[7]),
            last_error=row[8],
        )

    def save_sync_account(self, account: SyncAccount) -> None:
        """Set the account (replacing any): the mappings, queue and cursor start afresh."""
        with self.db.write() as conn:
            _forget_sync(conn)
            conn.execute(
                """INSERT INTO sync_account (id, kind, url, user, password_command,
                   password_file, insecure_http, added_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    account.kind.value,
                    account.url,
                    account.user,
                    account.password_command,
                    account.password_file,
                    int(account.insecure_http),
                    to_db_time(self.now()),
                ),
            )

    def remove_sync_account(self) -> int:
        """Back to a local library: every article stays; returns the changes never pushed."""
        with self.db.write() as conn:
            dropped = int(conn.execute("SELECT count(*) FROM sync_queue").fetchone()[0])
            _forget_sync(conn)
        return dropped

    def record_sync(self, *, error: str | None) -> None:
        """The end of a sync attempt: its time when it finished, else its one-line error."""
        with self.db.write() as conn:
            if error is None:
                conn.execute(
                    "UPDATE sync_account SET last_sync = ?, last_error = NULL WHERE id = 1",
                    (to_db_time(self.now()),),
                )
            else:
                conn.execute("UPDATE sync_account SET last_error = ? WHERE id = 1", (error,))

    # --- the queue ------------------------------------------------------------------------

    def sync_queue(self) -> list[QueuedAction]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT id, remote_id, action FROM sync_queue ORDER BY id"
            ).fetchall()
        return [QueuedAction(r[0], r[1], r[2]) for r in rows]

    def queued_count(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute("SELECT count(*) FROM sync_queue").fetchone()[0])

    def finish_push(self, up_to_id: int, remote_ids: Iterable[str] | None = None) -> None:
        """Forget queue rows up to ``up_to_id`` (all, or only those of ``remote_ids``).

        Rows queued while the push ran have larger ids and stay for the next sync.
        """
        with self.db.write() as conn:
            if remote_ids is None:
                conn.execute("DELETE FROM sync_queue WHERE id <= ?", (up_to_id,))
                return
            conn.executemany(
                "DELETE FROM sync_queue WHERE id <= ? AND remote_id = ?",
                [(up_to_id, remote) for remote in remote_ids],
            )

    # --- feeds ------------------------------------------------------------------------------

    def sync_feed_ids(self) -> dict[int, str]:
        """Local feed id -> the server's id, for every feed the server has."""
        with self.db.read() as conn:
            return {r[0]: r[1] for r in conn.execute("SELECT feed_id, remote_id FROM sync_feeds")}

    def apply_remote_feeds(self, feeds: list[RemoteFeed]) -> FeedChanges:
        """Mirror the server's subscriptions: new ones added, gone ones removed, names kept."""
        now = to_db_time(self.now())
        added = removed = changed = 0
        with self.db.write() as conn:
            mapped = {r[0]: r[1] for r in conn.execute("SELECT remote_id, feed_id FROM sync_feeds")}
            wanted = {f.remote_id for f in feeds}
            for remote_id, feed_id in mapped.items():
                if remote_id not in wanted:
                    conn.execute(
                        "DELETE FROM articles_fts WHERE rowid IN "
                        "(SELECT id FROM articles WHERE feed_id = ?)",
                        (feed_id,),
                    )
                    conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
                    removed += 1
            for feed in feeds:
                title = clean_line(feed.title) or None
                folder = clean_line(feed.folder) or None
                site = safe_link(feed.site_url)
                url = clean_line(feed.url) or feed.remote_id
                feed_id = mapped.get(feed.remote_id)
                if feed_id is None:
                    row = conn.execute(
                        "SELECT id FROM feeds WHERE url = ? AND id NOT IN "
                        "(SELECT feed_id FROM sync_feeds)",
                        (url,),
                    ).fetchone()
                    if row is None:
                        feed_id = conn.execute(
                            "INSERT INTO feeds (url, title, folder, site_url, added_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (url, title or "", folder, site, now),
                        ).lastrowid
                        added += 1
                    else:
                        feed_id = row[0]
                    conn.execute(
                        "INSERT INTO sync_feeds (remote_id, feed_id) VALUES (?, ?)",
                        (feed.remote_id, feed_id),
                    )
                cursor = conn.execute(
                    """UPDATE feeds SET title = coalesce(?, title), user_title = NULL, folder = ?,
                       site_url = coalesce(?, site_url)
                       WHERE id = ? AND (title IS NOT coalesce(?, title) OR user_title IS NOT NULL
                       OR folder IS NOT ? OR site_url IS NOT coalesce(?, site_url))""",
                    (title, folder, site, feed_id, title, folder, site),
                )
                changed += cursor.rowcount if feed.remote_id in mapped else 0
        return FeedChanges(added, removed, changed)

    # --- items ------------------------------------------------------------------------------

    def store_remote_items(
        self, items: Iterable[RemoteItem], *, cursor: str | None, initial_state: bool
    ) -> int:
        """Store one page of the server's new items and the cursor after it, atomically.

        Items already mapped are left alone. ``initial_state`` takes each new item's
        read/star state from the page (the state pass corrects it anyway).
        """
        now = self.now()
        now_text = to_db_time(now)
        latest = now + timedelta(days=1)
        new = 0
        with self.db.write() as conn:
            feeds = {r[0]: r[1] for r in conn.execute("SELECT remote_id, feed_id FROM sync_feeds")}
            # Feeds that were ours before the account may hold the same articles already.
            local = {
                r[0]
                for r in conn.execute(
                    """SELECT DISTINCT a.feed_id FROM articles a WHERE NOT EXISTS
                       (SELECT 1 FROM sync_items s WHERE s.article_id = a.id)"""
                )
            }
            items = list(items)
            known: set[str] = set()
            for start in range(0, len(items), 500):
                chunk = [i.remote_id for i in items[start : start + 500]]
                known.update(
                    row[0]
                    for row in conn.execute(
                        f"SELECT remote_id FROM sync_items WHERE remote_id IN "
                        f"({','.join('?' * len(chunk))})",
                        chunk,
                    )
                )
            # Retention's tombstones: looked up only for feeds that have any.
            tombstoned = {
                r[0] for r in conn.execute("SELECT DISTINCT feed_id FROM deleted_articles")
            }
            for item in items:
                feed_id = feeds.get(item.feed_remote_id)
                if feed_id is None:
                    continue  # a feed the subscription list did not have yet: next sync
                if item.remote_id in known:
                    continue
                known.add(item.remote_id)
                key = "s:" + item.remote_id
                if feed_id in tombstoned and _is_tombstoned(conn, feed_id, key, now):
                    continue
                article_id = _local_match(conn, feed_id, item) if feed_id in local else None
                if article_id is None:
                    article_id = _insert_item(
                        conn, feed_id, key, item, now_text, latest, with_state=initial_state
                    )
                    new += 1
                conn.execute(
                    "INSERT INTO sync_items (remote_id, article_id) VALUES (?, ?)",
                    (item.remote_id, article_id),
                )
            if cursor is not None:
                conn.execute("UPDATE sync_account SET cursor = ? WHERE id = 1", (cursor,))
        return new

    def apply_remote_state(self, unread: set[str], starred: set[str]) -> int:
        """The server's read and starred state, except where a change is queued (see above).

        The differences are found in Python over one read of the mapped articles' state, so
        a sync where nothing changed writes nothing.
        """
        now = to_db_time(self.now())
        with self.db.write() as conn:
            queued = {row[0] for row in conn.execute("SELECT DISTINCT remote_id FROM sync_queue")}
            changes: dict[tuple[str, int], list[int]] = {}
            for remote_id, article_id, read, is_starred in conn.execute(
                """SELECT s.remote_id, a.id, a.read, a.starred
                   FROM sync_items s JOIN articles a ON a.id = s.article_id"""
            ):
                if remote_id in queued:
                    continue
                want_read = int(remote_id not in unread)
                if read != want_read:
                    changes.setdefault(("read", want_read), []).append(article_id)
                want_starred = int(remote_id in starred)
                if is_starred != want_starred:
                    changes.setdefault(("starred", want_starred), []).append(article_id)
            for (column, value), ids in changes.items():
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    conn.execute(
                        f"UPDATE articles SET {column} = ?, {column}_at = ? "
                        f"WHERE id IN ({','.join('?' * len(chunk))})",
                        (value, now if value else None, *chunk),
                    )
        return sum(len(ids) for ids in changes.values())

    def forget_remote_items(self, remote_ids: set[str]) -> None:
        """Items the server no longer has: their articles stay, as local ones."""
        if not remote_ids:
            return
        with self.db.write() as conn:
            conn.executemany(
                "DELETE FROM sync_items WHERE remote_id = ?", [(r,) for r in remote_ids]
            )

    def known_remote_ids(self) -> set[str]:
        with self.db.read() as conn:
            return {row[0] for row in conn.execute("SELECT remote_id FROM sync_items")}

    def remote_ids_of(self, article_ids: list[int]) -> dict[int, str]:
        with self.db.read() as conn:
            found: dict[int, str] = {}
            for start in range(0, len(article_ids), 500):
                chunk = article_ids[start : start + 500]
                for row in conn.execute(
                    f"SELECT article_id, remote_id FROM sync_items WHERE article_id IN "
                    f"({','.join('?' * len(chunk))})",
                    chunk,
                ):
                    found[row[0]] = row[1]
        return found


def _forget_sync(conn: sqlite3.Connection) -> None:
    for table in ("sync_queue", "sync_items", "sync_feeds", "sync_account"):
        conn.execute(f"DELETE FROM {table}")


def _local_match(conn: sqlite3.Connection, feed_id: int, item: RemoteItem) -> int | None:
    """A local article of a feed that was ours before the account: the same link."""
    link = safe_link(item.link)
    if not link:
        return None
    row = conn.execute(
        """SELECT a.id FROM articles a WHERE a.feed_id = ? AND a.link = ?
           AND NOT EXISTS (SELECT 1 FROM sync_items s WHERE s.article_id = a.id) LIMIT 1""",
        (feed_id, link),
    ).fetchone()
    return int(row[0]) if row else None


def _insert_item(
    conn: sqlite3.Connection,
    feed_id: int,
    key: str,
    item: RemoteItem,
    now_text: str | None,
    latest: datetime,
    *,
    with_state: bool,
) -> int:
    entry = ParsedEntry(
        title=clean_line(item.title),
        link=safe_link(item.link),
        author=clean_line(item.author) or None,
        published=item.published,
        content_html=item.content_html,
    )
    published = entry.published
    read, starred = (item.read, item.starred) if with_state else (False, False)
    sensible = published if published is not None and published <= latest else None
    sort_date = to_db_time(sensible) or now_text
    cursor = conn.execute(
        """INSERT INTO articles (guid, link, title, author, published, updated, summary_html,
           content_html, categories, enclosures, content_hash, feed_id, dedup_key, first_seen,
           sort_date, read, read_at, starred, starred_at)
           VALUES (NULL, ?, ?, ?, ?, NULL, NULL, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            entry.link,
            entry.title,
            entry.author,
            to_db_time(published),
            entry.content_html,
            json.dumps([]),
            _content_hash(entry),
            feed_id,
            key,
            now_text,
            sort_date,
            int(read),
            now_text if read else None,
            int(starred),
            now_text if starred else None,
        ),
    )
    article_id = cursor.lastrowid
    assert article_id is not None
    conn.execute(
        "INSERT INTO articles_fts (rowid, title, author, body) VALUES (?, ?, ?, ?)",
        (article_id, entry.title, entry.author or "", search_text(entry.content_html)),
    )
    return article_id
