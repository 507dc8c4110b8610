"""Checks on a database file made with a fresh connection, as a later tuireader would see it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: (feed url, dedup key) -> (read, starred, recommended)
Snapshot = dict[tuple[str, str], tuple[int, int, int]]


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def consistency_problems(path: Path) -> list[str]:
    """Everything wrong with the file: SQLite's own checks, then our invariants."""
    conn = connect(path)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems == ["ok"]:
            problems = []
        problems += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
        fts = {row[0] for row in conn.execute("SELECT rowid FROM articles_fts")}
        articles = {row[0] for row in conn.execute("SELECT id FROM articles")}
        if fts - articles:
            problems.append(f"search entries without an article: {sorted(fts - articles)[:5]}")
        if articles - fts:
            problems.append(f"articles missing from search: {sorted(articles - fts)[:5]}")
        orphans = conn.execute(
            "SELECT count(*) FROM full_texts WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} cached pages without an article")
        return problems
    finally:
        conn.close()


def snapshot(path: Path) -> Snapshot:
    conn = connect(path)
    try:
        rows = conn.execute(
            """SELECT f.url, a.dedup_key, a.read, a.starred, a.recommended
               FROM articles a JOIN feeds f ON f.id = a.feed_id"""
        ).fetchall()
    finally:
        conn.close()
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}
