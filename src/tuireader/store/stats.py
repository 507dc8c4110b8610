"""Counts for the reading stats: opens per day and per feed, activity, refresh traffic."""

from __future__ import annotations

from datetime import datetime

from tuireader.store.base import FEED_TITLE_SQL, StoreBase
from tuireader.store.db import from_db_time, to_db_time


class StatsMixin(StoreBase):
    def opened_per_day(self, since: datetime) -> dict[str, int]:
        """``YYYY-MM-DD`` (UTC) -> distinct articles opened that day."""
        with self.db.read() as conn:
            rows = conn.execute(
                """SELECT substr(at, 1, 10), count(DISTINCT article_id) FROM events
                   WHERE kind = 'open' AND at >= ? GROUP BY 1""",
                (to_db_time(since),),
            ).fetchall()
        return {row[0]: row[1] for row in rows}

    def opened_per_feed(self, since: datetime, *, limit: int = 10) -> list[tuple[str, int]]:
        """(feed title, distinct articles opened), most read first."""
        with self.db.read() as conn:
            rows = conn.execute(
                f"""SELECT {FEED_TITLE_SQL}, count(DISTINCT e.article_id) AS n FROM events e
                    JOIN feeds f ON f.id = e.feed_id
                    WHERE e.kind = 'open' AND e.at >= ? GROUP BY e.feed_id
                    ORDER BY n DESC, 1 LIMIT ?""",
                (to_db_time(since), limit),
            ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def activity_times(self, since: datetime) -> list[datetime]:
        """When the reader did anything with an article (open, read, star, ...), in order."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT at FROM events WHERE at >= ? ORDER BY at", (to_db_time(since),)
            ).fetchall()
        return [t for t in (from_db_time(row[0]) for row in rows) if t is not None]

    def traffic_per_day(self, since: datetime) -> dict[str, tuple[int, int, int, int]]:
        """``YYYY-MM-DD`` -> (bytes downloaded in all, of them by feed refreshes, feeds
        updated, feeds not modified)."""
        with self.db.read() as conn:
            rows = conn.execute(
                """SELECT substr(started_at, 1, 10), sum(bytes_downloaded),
                   sum(CASE WHEN kind = 'feeds' THEN bytes_downloaded ELSE 0 END),
                   sum(CASE WHEN kind = 'feeds' THEN updated ELSE 0 END),
                   sum(not_modified)
                   FROM refreshes WHERE started_at >= ? GROUP BY 1""",
                (to_db_time(since),),
            ).fetchall()
        return {row[0]: (row[1] or 0, row[2] or 0, row[3] or 0, row[4] or 0) for row in rows}
