"""Full-text search over the local cache (SQLite FTS5)."""

from __future__ import annotations

import re
import sqlite3

from tuireader.store.base import StoreBase

# Letters and digits only, as the unicode61 tokenizer splits: every word is its own
# quoted token, so "foo_bar" searches for both words, not for the phrase.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: bm25 scores at most this many of a tier's newest matches. bm25 costs ~20-40 us a row
#: here, so scoring every match of a common word (90,000 rows in the 100k bench library)
#: took 1.6 s; a window keeps a ranked search of any word to a few ms.
RANK_WINDOW = 500
_BM25 = "bm25(articles_fts, 10.0, 3.0, 1.0)"


def fts_query(text: str, *, prefix: bool = True) -> str | None:
    """User words as an FTS5 query: every word must match, the last one as a prefix
    (unless ``prefix`` is false).

    Quoting every token means no user input can be an FTS5 syntax error.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def _tiers(text: str) -> list[str]:
    """The ranked search's queries, best first: the exact words in the title, the exact
    words anywhere, then the same with the last word as a prefix ("go" finds "Go and
    Dogma" before "Google")."""
    exact = fts_query(text, prefix=False)
    if exact is None:
        return []
    prefixed = fts_query(text)
    assert prefixed is not None
    return [f"{{title}} : ({exact})", exact, f"{{title}} : ({prefixed})", prefixed]


class SearchMixin(StoreBase):
    def search_ids(self, text: str, *, limit: int = 500, rank: bool = True) -> list[int]:
        """Article ids matching ``text`` (every word; the last may be a prefix).

        ``rank=True`` (the CLI's ``search``, a relevance sort): exact words before prefix
        matches, title matches before the others, and within each of these tiers its
        newest :data:`RANK_WINDOW` matches by bm25 (title weighs most), then the rest of
        the tier newest first. ``rank=False`` (the app's search view): newest stored first,
        which the index hands back in a few ms.
        """
        if not rank:
            query = fts_query(text)
            if query is None:
                return []
            with self.db.read() as conn:
                rows = conn.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                    " ORDER BY rowid DESC LIMIT ?",
                    (query, limit),
                ).fetchall()
            return [row[0] for row in rows]
        found: dict[int, None] = {}
        with self.db.read() as conn:
            for tier in _tiers(text):
                if len(found) >= limit:
                    break
                _ranked_tier(conn, tier, found, limit)
        return list(found)

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


def _ranked_tier(conn: sqlite3.Connection, query: str, found: dict[int, None], limit: int) -> None:
    """Add one tier's matches to ``found`` (kept in order) until it holds ``limit`` ids."""
    # The index yields matches newest first and stops at the LIMIT, so bm25 is computed
    # for the window only; the outer query sorts that window by score.
    window = conn.execute(
        f"""SELECT rowid FROM (
                SELECT rowid, {_BM25} AS score FROM articles_fts
                WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?
            ) ORDER BY score, rowid DESC""",
        (query, RANK_WINDOW),
    ).fetchall()
    for (rowid,) in window:
        found.setdefault(rowid, None)
        if len(found) >= limit:
            return
    if len(window) < RANK_WINDOW:
        return
    oldest = min(row[0] for row in window)
    rest = conn.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid < ?"
        " ORDER BY rowid DESC LIMIT ?",
        (query, oldest, limit + len(found)),
    )
    for (rowid,) in rest:
        found.setdefault(rowid, None)
        if len(found) >= limit:
            return
