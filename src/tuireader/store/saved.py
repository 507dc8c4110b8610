"""Saved searches: a search the reader keeps in the sidebar, in the same file as the rest."""

from __future__ import annotations

from tuireader.sanitize import clean_line
from tuireader.store.base import StoreBase

MAX_QUERY = 500


class SavedSearchesMixin(StoreBase):
    def saved_searches(self) -> list[str]:
        with self.db.read() as conn:
            rows = conn.execute("SELECT query FROM saved_searches ORDER BY id").fetchall()
        return [row[0] for row in rows]

    def save_search(self, query: str) -> list[str]:
        """Keep ``query`` (once); returns all saved searches."""
        text = clean_line(query)[:MAX_QUERY]
        if text:
            with self.db.write() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO saved_searches (name, query) VALUES (?, ?)",
                    (text, text),
                )
        return self.saved_searches()

    def delete_search(self, query: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM saved_searches WHERE query = ?", (query,))
