"""Full-text search over the local cache (SQLite FTS5)."""

from __future__ import annotations

import re

from tuireader.store.base import StoreBase

# Letters and digits only, as the unicode61 tokenizer splits: the index keeps no
# positions (detail=column, a quarter cheaper to write), so a query must never hold a
# multi-token phrase such as "foo_bar".
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """User words as an FTS5 query: every word must match, the last one as a prefix.

    Quoting every token means no user input can be an FTS5 syntax error.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SearchMixin(StoreBase):
    def search_ids(self, text: str, *, limit: int = 500, rank: bool = True) -> list[int]:
        """Article ids matching ``text``: best match first (title weighs most), or with
        ``rank=False`` the most recently stored first.

        Ranking scores every match (bm25), some 60 ms for a common word in 100,000
        articles; unranked, the index hands back its newest rows in a few ms. The app
        sorts results by date anyway, so it asks for them unranked.
        """
        query = fts_query(text)
        if query is None:
            return []
        order = "bm25(articles_fts, 10.0, 3.0, 1.0)" if rank else "rowid DESC"
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                f" ORDER BY {order} LIMIT ?",
                (query, limit),
            ).fetchall()
        return [row[0] for row in rows]

    def index_full_text(self, article_id: int, text: str) -> None:
        """Add an extracted page's text to the article's search entry."""
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT title, author, body FROM articles_fts WHERE rowid = ?", (article_id,)
            ).fetchone()
            if row is None:
                return
            conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
            conn.execute(
                "INSERT INTO articles_fts (rowid, title, author, body) VALUES (?, ?, ?, ?)",
                (article_id, row[0], row[1], f"{row[2]} {text}"[:200_000]),
            )
