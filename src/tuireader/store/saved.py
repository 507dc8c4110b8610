"""Saved searches: a search the reader keeps in the sidebar, in the same file as the rest."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from tuireader.sanitize import clean_line
from tuireader.store.base import StoreBase
from tuireader.store.db import StoreError

MAX_QUERY = 500


#: Why an empty query is not saved: it would match every article.
EMPTY_QUERY = "a saved search needs a query (an empty one would match every article)"


class NoSuchSavedSearchError(StoreError):
    """No saved search has that name."""


class SavedSearchExistsError(StoreError):
    """Another saved search already has that name."""


@dataclass(frozen=True, slots=True)
class SavedSearch:
    #: What the sidebar and ``tuireader searches`` call it (the query itself until renamed).
    name: str
    query: str


class SavedSearchesMixin(StoreBase):
    def saved_searches(self) -> list[str]:
        with self.db.read() as conn:
            rows = conn.execute("SELECT query FROM saved_searches ORDER BY id").fetchall()
        return [row[0] for row in rows]

    def named_searches(self) -> list[SavedSearch]:
        """Every saved search with its name, oldest first."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT name, query FROM saved_searches ORDER BY id").fetchall()
        return [SavedSearch(row[0], row[1]) for row in rows]

    def save_search(self, query: str) -> list[str]:
        """Keep ``query`` (once, whatever name it is saved under); returns all saved searches."""
        text = clean_line(query)[:MAX_QUERY]
        if text:
            with self.db.write() as conn:
                conn.execute(
                    """INSERT OR IGNORE INTO saved_searches (name, query) SELECT ?, ?
                       WHERE NOT EXISTS (SELECT 1 FROM saved_searches WHERE query = ?)""",
                    (text, text, text),
                )
        return self.saved_searches()

    def rename_saved_search(self, name: str, new_name: str) -> SavedSearch:
        """Give a saved search another name; its query stays as it was."""
        new = clean_line(new_name)[:MAX_QUERY]
        if not new:
            raise StoreError("a saved search needs a name")
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT id, query FROM saved_searches WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                raise NoSuchSavedSearchError(f"no saved search named {clean_line(name)!r}")
            if (
                new != name
                and conn.execute("SELECT 1 FROM saved_searches WHERE name = ?", (new,)).fetchone()
            ):
                raise SavedSearchExistsError(f"a saved search is already named {new!r}")
            conn.execute("UPDATE saved_searches SET name = ? WHERE id = ?", (new, row[0]))
        return SavedSearch(new, row[1])

    def delete_saved_search(self, name: str) -> SavedSearch:
        """Forget a saved search (the articles it found stay)."""
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT id, query FROM saved_searches WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                raise NoSuchSavedSearchError(f"no saved search named {clean_line(name)!r}")
            conn.execute("DELETE FROM saved_searches WHERE id = ?", (row[0],))
        return SavedSearch(name, row[1])

    # --- query feeds: saved searches made or changed from the command line ----------------

    def add_saved_search(self, name: str, query: str) -> SavedSearch:
        """Save ``query`` under ``name`` (the caller checks that it parses)."""
        label, text = clean_line(name).strip()[:MAX_QUERY], clean_line(query)[:MAX_QUERY]
        if not label:
            raise StoreError("a saved search needs a name")
        if not text.strip():
            raise StoreError(EMPTY_QUERY)
        with self.db.write() as conn:
            if conn.execute("SELECT 1 FROM saved_searches WHERE name = ?", (label,)).fetchone():
                raise SavedSearchExistsError(f"a saved search is already named {label!r}")
            _refuse_a_second_name(conn, text, label)
            conn.execute("INSERT INTO saved_searches (name, query) VALUES (?, ?)", (label, text))
        return SavedSearch(label, text)

    def edit_saved_search(self, name: str, query: str) -> SavedSearch:
        """Give a saved search another query; its name stays."""
        text = clean_line(query)[:MAX_QUERY]
        if not text.strip():
            raise StoreError(EMPTY_QUERY)
        with self.db.write() as conn:
            _refuse_a_second_name(conn, text, name)
            cursor = conn.execute(
                "UPDATE saved_searches SET query = ? WHERE name = ?", (text, name)
            )
        if cursor.rowcount == 0:
            raise NoSuchSavedSearchError(f"no saved search named {clean_line(name)!r}")
        return SavedSearch(name, text)


def _refuse_a_second_name(conn: sqlite3.Connection, query: str, name: str) -> None:
    """One saved search per query: the sidebar shows each query once, as one view."""
    row = conn.execute(
        "SELECT name FROM saved_searches WHERE query = ? AND name != ?", (query, name)
    ).fetchone()
    if row is not None:
        raise SavedSearchExistsError(f"{row[0]!r} already searches {query!r}")
