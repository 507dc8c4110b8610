"""What arrived lately: the articles a refresh brought, for notifications and auto-downloads.

Article ids only grow (a new row gets max(id) + 1), so "stored after this point" is "id
above the largest id before", exact where timestamps of second precision are not.
"""

from __future__ import annotations

from tuireader.store.base import StoreBase


class RecentMixin(StoreBase):
    def last_article_id(self) -> int:
        with self.db.read() as conn:
            row = conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
        return int(row[0])

    def article_ids_after(self, article_id: int, *, limit: int = 1000) -> list[int]:
        """Ids of articles stored after ``article_id`` was, newest first (not those a rule
        hid as they were stored)."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT id FROM articles WHERE id > ? AND hidden = 0"
                " ORDER BY sort_date DESC, id DESC LIMIT ?",
                (article_id, limit),
            ).fetchall()
        return [row[0] for row in rows]
