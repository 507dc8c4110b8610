"""Long life: deleting old articles by the user's retention settings, and compacting the file.

Deleted articles leave a tombstone (``deleted_articles``: feed id, dedup key, dates) rather
than a body-less row in ``articles``. A tombstone is ~100 bytes in a table no view reads, so
every list, count and search stays as it is; a stripped row would need a "deleted" filter
in every query and would keep its title, link and index entries. The refresh consults the
tombstones only for entries it has not seen before (see ``articles._is_tombstoned``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tuireader.store.base import StoreBase
from tuireader.store.db import to_db_time

#: A tombstone is dropped once its feed has not listed the entry for this long: feeds list
#: their recent entries only, so an entry gone from its feed for months does not return.
TOMBSTONE_TTL = timedelta(days=180)
#: Refresh records kept for the data saver's history.
REFRESH_HISTORY = 1_000
#: Articles deleted per transaction, so a long cleanup never blocks the reader for long.
CLEANUP_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class CleanupResult:
    deleted: int
    vacuumed: bool
    bytes_before: int
    bytes_after: int


# An article retention may delete: never starred or recommended; unread only when asked.
_DELETABLE = "a.starred = 0 AND a.recommended = 0 AND (a.read = 1 OR :include_unread)"


class RetentionMixin(StoreBase):
    def cleanup(
        self,
        keep_days: int,
        keep_per_feed: int,
        *,
        include_unread: bool = False,
        vacuum: bool = False,
    ) -> CleanupResult:
        """Delete articles older than ``keep_days`` or beyond the newest ``keep_per_feed``
        of their feed (0 = no limit), except starred, recommended and (unless
        ``include_unread``) unread ones. Their index entries and cached pages go with them;
        their dedup keys stay as tombstones. ``vacuum`` then gives the free pages back to the
        file system.
        """
        bytes_before = self.db.size_bytes()
        now = self.now()
        params: dict[str, object] = {
            "include_unread": int(include_unread),
            "days": keep_days,
            "now": to_db_time(now),
            "keep": keep_per_feed,
        }
        with self.db.read() as conn:
            # A feed's own setting (feed_retention, `tuireader edit --keep-days`) wins.
            candidates = [
                row[0]
                for row in conn.execute(
                    f"""SELECT id FROM (
                          SELECT a.id, a.sort_date, a.starred, a.recommended, a.read,
                                 coalesce(r.keep_days, :days) AS days,
                                 coalesce(r.keep_per_feed, :keep) AS keep,
                                 row_number() OVER (PARTITION BY a.feed_id
                                                    ORDER BY a.sort_date DESC, a.id DESC) AS rank
                          FROM articles a LEFT JOIN feed_retention r ON r.feed_id = a.feed_id) a
                        WHERE {_DELETABLE}
                          AND ((a.days > 0 AND a.sort_date < strftime('%Y-%m-%dT%H:%M:%SZ',
                                                                      :now, -a.days || ' days'))
                               OR (a.keep > 0 AND a.rank > a.keep))""",
                    params,
                )
            ]
        deleted = 0
        for start in range(0, len(candidates), CLEANUP_BATCH):
            deleted += self._delete_articles(
                candidates[start : start + CLEANUP_BATCH], include_unread
            )
        self._forget_old_bookkeeping()
        if vacuum:
            with self.db.maintenance() as conn:
                # FTS5 keeps deleted entries in its segments until they are merged:
                # merge them first, or VACUUM cannot give their space back.
                conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return CleanupResult(deleted, vacuum, bytes_before, self.db.size_bytes())

    def feed_retention(self, feed_id: int) -> tuple[int | None, int | None]:
        """A feed's own (keep_days, keep_per_feed); None means config's setting."""
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT keep_days, keep_per_feed FROM feed_retention WHERE feed_id = ?",
                (feed_id,),
            ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def any_feed_retention(self) -> bool:
        """Whether some feed limits its own articles (a keep_days or keep_per_feed above 0)."""
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM feed_retention WHERE keep_days > 0 OR keep_per_feed > 0 LIMIT 1"
            ).fetchone()
        return row is not None

    def set_feed_retention(
        self, feed_id: int, *, keep_days: int | None, keep_per_feed: int | None
    ) -> None:
        """Set a feed's own retention (None: follow config; 0: keep forever)."""
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO feed_retention (feed_id, keep_days, keep_per_feed)
                   VALUES (?, ?, ?) ON CONFLICT (feed_id) DO UPDATE
                   SET keep_days = excluded.keep_days, keep_per_feed = excluded.keep_per_feed""",
                (feed_id, keep_days, keep_per_feed),
            )

    def _delete_articles(self, ids: list[int], include_unread: bool) -> int:
        """Delete, tombstone and unindex in one transaction, re-checking each article's
        state there: the user may have starred one since the candidates were chosen."""
        now = to_db_time(self.now())
        with self.db.write() as conn:
            marks = ",".join("?" * len(ids))
            doomed = [
                row[0]
                for row in conn.execute(
                    f"SELECT a.id FROM articles a WHERE a.id IN ({marks}) AND "
                    + _DELETABLE.replace(":include_unread", "?"),
                    (*ids, int(include_unread)),
                )
            ]
            if not doomed:
                return 0
            marks = ",".join("?" * len(doomed))
            conn.execute(
                f"""INSERT OR REPLACE INTO deleted_articles
                    (feed_id, dedup_key, deleted_at, seen_at)
                    SELECT feed_id, dedup_key, ?, ? FROM articles WHERE id IN ({marks})""",
                (now, now, *doomed),
            )
            conn.execute(f"DELETE FROM articles_fts WHERE rowid IN ({marks})", doomed)
            # full_texts go by ON DELETE CASCADE; events keep the signal with a NULL article.
            conn.execute(f"DELETE FROM articles WHERE id IN ({marks})", doomed)
        return len(doomed)

    def _forget_old_bookkeeping(self) -> None:
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM deleted_articles WHERE seen_at < ?",
                (to_db_time(self.now() - TOMBSTONE_TTL),),
            )
            conn.execute(
                "DELETE FROM refreshes WHERE id <= (SELECT id FROM refreshes "
                "ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (REFRESH_HISTORY,),
            )

    def tombstone_count(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute("SELECT count(*) FROM deleted_articles").fetchone()[0])
