"""Read, star and recommend state, and the signal events the recommender learns from.

Every change is written at once and logged in ``events`` in the same transaction, so a
crash loses nothing and the recommender can be rebuilt from the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tuireader.store.articles import ArticleQuery, _where
from tuireader.store.base import StoreBase
from tuireader.store.db import from_db_time, to_db_time
from tuireader.store.syncqueue import queue_for_sync

#: Event kinds. ``open``/``read_long``/``quick_leave`` come from the reader, ``skip`` is
#: "marked read without opening", ``less_like`` is the explicit "less like this".
EVENT_KINDS = frozenset(
    {
        "open",
        "read_long",
        "quick_leave",
        "skip",
        "mark_unread",
        "star",
        "unstar",
        "recommend",
        "unrecommend",
        "less_like",
        "mute_feed",
        "unmute_feed",
    }
)


@dataclass(frozen=True, slots=True)
class Event:
    """One signal from the log; ``id`` orders them and lets a reader resume after it."""

    id: int
    article_id: int | None
    feed_id: int | None
    kind: str
    at: datetime


class StateMixin(StoreBase):
    def set_read(self, ids: list[int], read: bool = True, *, opened: bool = False) -> list[int]:
        """Mark articles (un)read; returns the ids that changed, for undo.

        Marking read without opening records a ``skip`` signal; opening records ``open``.
        """
        if not ids:
            return []
        now = to_db_time(self.now())
        changed: list[int] = []
        with self.db.write() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id, feed_id FROM articles WHERE id IN ({marks}) AND read = ?",
                    (*chunk, int(not read)),
                ).fetchall()
                if not rows:
                    continue
                changed_chunk = [row[0] for row in rows]
                changed.extend(changed_chunk)
                conn.execute(
                    f"UPDATE articles SET read = ?, read_at = ? WHERE id IN "
                    f"({','.join('?' * len(changed_chunk))})",
                    (int(read), now if read else None, *changed_chunk),
                )
                queue_for_sync(conn, changed_chunk, "read" if read else "unread", now)
                if opened:
                    continue  # the open event is recorded by record_event
                kind = "skip" if read else "mark_unread"
                conn.executemany(
                    "INSERT INTO events (article_id, feed_id, kind, at) VALUES (?, ?, ?, ?)",
                    [(row[0], row[1], kind, now) for row in rows],
                )
        return changed

    def mark_query_read(self, query: ArticleQuery) -> list[int]:
        """Mark a whole view read; returns the changed ids so the caller can undo."""
        where, params = _where(query, self.now())
        extra = " AND a.read = 0" if where else " WHERE a.read = 0"
        with self.db.read() as conn:
            ids = [
                row[0] for row in conn.execute(f"SELECT a.id FROM articles a{where}{extra}", params)
            ]
        return self.set_read(ids, True)

    def open_article(self, article_id: int, *, mark_read: bool = True) -> None:
        """The reader opened an article: an ``open`` signal, and read if so configured."""
        now = to_db_time(self.now())
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT feed_id FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is None:
                return
            conn.execute(
                "INSERT INTO events (article_id, feed_id, kind, at) VALUES (?, ?, 'open', ?)",
                (article_id, row[0], now),
            )
            if mark_read:
                cursor = conn.execute(
                    "UPDATE articles SET read = 1, read_at = ? WHERE id = ? AND read = 0",
                    (now, article_id),
                )
                if cursor.rowcount:
                    queue_for_sync(conn, [article_id], "read", now)

    def set_starred(self, article_id: int, starred: bool) -> bool:
        return self._set_flag(article_id, "starred", starred, ("star", "unstar"))

    def set_recommended(self, article_id: int, recommended: bool) -> bool:
        return self._set_flag(article_id, "recommended", recommended, ("recommend", "unrecommend"))

    def _set_flag(self, article_id: int, column: str, on: bool, kinds: tuple[str, str]) -> bool:
        """Set a flag and log the signal; False when the article does not exist."""
        now = to_db_time(self.now())
        with self.db.write() as conn:
            row = conn.execute(
                f"SELECT feed_id, {column} FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is None:
                return False
            if bool(row[1]) == on:
                return True
            conn.execute(
                f"UPDATE articles SET {column} = ?, {column}_at = ? WHERE id = ?",
                (int(on), now if on else None, article_id),
            )
            conn.execute(
                "INSERT INTO events (article_id, feed_id, kind, at) VALUES (?, ?, ?, ?)",
                (article_id, row[0], kinds[0] if on else kinds[1], now),
            )
            if column == "starred":  # "recommended" stays local (see README, Sync)
                queue_for_sync(conn, [article_id], "star" if on else "unstar", now)
        return True

    def set_flag_many(self, ids: list[int], column: str, on: bool) -> list[int]:
        """Star (``starred``) or recommend (``recommended``) several articles, or take it
        back, in one transaction; returns the ids that changed."""
        kinds = {"starred": ("star", "unstar"), "recommended": ("recommend", "unrecommend")}
        kind = kinds[column][0 if on else 1]
        now = to_db_time(self.now())
        changed: list[tuple[int, int]] = []
        with self.db.write() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id, feed_id FROM articles WHERE id IN ({marks}) AND {column} = ?",
                    (*chunk, int(not on)),
                ).fetchall()
                changed.extend((row[0], row[1]) for row in rows)
            conn.executemany(
                f"UPDATE articles SET {column} = ?, {column}_at = ? WHERE id = ?",
                [(int(on), now if on else None, article_id) for article_id, _ in changed],
            )
            conn.executemany(
                "INSERT INTO events (article_id, feed_id, kind, at) VALUES (?, ?, ?, ?)",
                [(article_id, feed_id, kind, now) for article_id, feed_id in changed],
            )
            if column == "starred" and changed:  # "recommended" stays local
                queue_for_sync(conn, [i for i, _ in changed], "star" if on else "unstar", now)
        return [article_id for article_id, _ in changed]

    def record_event(
        self, kind: str, *, article_id: int | None = None, feed_id: int | None = None
    ) -> None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        with self.db.write() as conn:
            if article_id is not None and feed_id is None:
                row = conn.execute(
                    "SELECT feed_id FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                if row is None:
                    return  # the article went with its feed (removed while open): no signal
                feed_id = row[0]
            conn.execute(
                "INSERT INTO events (article_id, feed_id, kind, at) VALUES (?, ?, ?, ?)",
                (article_id, feed_id, kind, to_db_time(self.now())),
            )

    def events(self, *, since_id: int = 0) -> list[Event]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT id, article_id, feed_id, kind, at FROM events WHERE id > ? ORDER BY id",
                (since_id,),
            ).fetchall()
        return [Event(r[0], r[1], r[2], r[3], from_db_time(r[4]) or self.now()) for r in rows]

    def undo_event(self, kind: str, *, article_id: int) -> bool:
        """Take back the newest ``kind`` signal on an article ("undo" of less-like).

        The event is deleted rather than countered, so the log reads as if it never
        happened; a recommender rebuilt from the log agrees. False when there was none.
        """
        with self.db.write() as conn:
            cursor = conn.execute(
                """DELETE FROM events WHERE id = (SELECT max(id) FROM events
                   WHERE kind = ? AND article_id = ?)""",
                (kind, article_id),
            )
        return cursor.rowcount > 0
