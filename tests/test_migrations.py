"""Schema migrations on real files: older files upgrade with their data, newer ones are left
alone, and a migration that fails midway leaves the old version as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpers.dbcheck import connect, consistency_problems, snapshot
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery, Store, StoreError, StoreReadOnlyError
from tuireader.store.db import Database, _statements
from tuireader.store.schema import MIGRATIONS, SCHEMA_VERSION

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_v1_file(path: Path) -> None:
    """A database as tuireader with schema 1 left it: WAL, two feeds, state, a page, events."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    for statement in _statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    stamp = "2026-11-20T12:00:00Z"
    for feed_id in (1, 2):
        conn.execute(
            "INSERT INTO feeds (id, url, title, added_at) VALUES (?, ?, ?, ?)",
            (feed_id, f"https://example.org/{feed_id}.xml", f"Feed {feed_id}", stamp),
        )
        for n in range(5):
            article_id = feed_id * 100 + n
            conn.execute(
                """INSERT INTO articles (id, feed_id, dedup_key, guid, title, content_hash,
                   first_seen, sort_date, read, starred, recommended)
                   VALUES (?, ?, ?, ?, ?, 'x', ?, ?, ?, ?, ?)""",
                (
                    article_id,
                    feed_id,
                    f"g:guid-{n}",
                    f"guid-{n}",
                    f"Story {feed_id}.{n}",
                    stamp,
                    stamp,
                    int(n < 2),
                    int(n == 0),
                    int(n == 1),
                ),
            )
            conn.execute(
                "INSERT INTO articles_fts (rowid, title, author, body) VALUES (?, ?, '', ?)",
                (article_id, f"Story {feed_id}.{n}", "lighthouse keepers"),
            )
    conn.execute(
        "INSERT INTO full_texts (article_id, url, fetched_at, markdown) VALUES (100, 'u', ?, 'md')",
        (stamp,),
    )
    conn.execute(
        "INSERT INTO events (article_id, feed_id, kind, at) VALUES (100, 1, 'star', ?)", (stamp,)
    )
    conn.execute("COMMIT")
    conn.close()


def tables(path: Path) -> set[str]:
    conn = connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_v1_file_upgrades_with_everything_in_it(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    make_v1_file(db)
    before = snapshot(db)
    assert "deleted_articles" not in tables(db)
    with Store(db, clock=lambda: T0) as store:
        assert user_version(db) == SCHEMA_VERSION  # every migration since, appended by anyone
        assert snapshot(db) == before
        assert store.search_ids("lighthouse") != []
        full_text = store.get_full_text(100)
        assert full_text is not None and full_text.markdown == "md"
        # What migration 2 brought works on the old data: retention and its tombstones.
        result = store.cleanup(0, 2, include_unread=True)
        assert result.deleted == 2  # per feed: newest 2 kept, 1 starred, 1 recommended
        parsed = ParsedFeed(
            title="Feed 1",
            entries=tuple(ParsedEntry(title=f"Story 1.{n}", guid=f"guid-{n}") for n in range(5)),
        )
        stored = store.store_feed(
            1, parsed, body_hash=None, etag=None, last_modified=None, bytes_downloaded=0
        )
        assert stored.new == 0  # deleted ones stay deleted
    assert consistency_problems(db) == []


def test_migrated_schema_equals_a_fresh_one(tmp_path: Path) -> None:
    make_v1_file(tmp_path / "old.db")
    Store(tmp_path / "old.db").close()
    Store(tmp_path / "new.db").close()

    def schema(path: Path) -> set[tuple[str, str]]:
        conn = connect(path)
        try:
            return {(r[0], r[1]) for r in conn.execute("SELECT type, name FROM sqlite_master")}
        finally:
            conn.close()

    assert schema(tmp_path / "old.db") == schema(tmp_path / "new.db")


def test_a_migration_failing_midway_leaves_the_old_version_intact(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    make_v1_file(db)
    before = snapshot(db)
    # The real migration 2, then a statement that fails: its first statements ran already.
    broken = (MIGRATIONS[0], MIGRATIONS[1] + "\nINSERT INTO no_such_table VALUES (1);")
    with pytest.raises(StoreError, match="cannot upgrade .* from schema 1 to 2") as caught:
        Database(db, migrations=broken)
    assert "left unchanged" in str(caught.value) and "\n" not in str(caught.value)
    assert user_version(db) == 1
    assert "deleted_articles" not in tables(db)
    assert snapshot(db) == before
    assert consistency_problems(db) == []
    with Store(db) as store:  # the real upgrade still works afterwards
        assert store.count_articles(ArticleQuery()) == 10
    assert user_version(db) == SCHEMA_VERSION


def test_a_newer_file_is_refused_and_not_touched(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    conn = sqlite3.connect(db)  # rollback journal: opening it must not switch it to WAL
    conn.execute("CREATE TABLE something_new (x)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer tuireader") as caught:
            Store(db, read_only=read_only)
        assert "\n" not in str(caught.value)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert not Path(f"{db}-wal").exists()


def test_an_old_file_opened_read_only_is_not_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    make_v1_file(db)
    with pytest.raises(StoreReadOnlyError, match="needs an upgrade"):
        Store(db, read_only=True)
    assert user_version(db) == 1
