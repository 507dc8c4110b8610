"""The refresh log, for the data saver: what each refresh and each prefetch downloaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tuireader.store.base import StoreBase
from tuireader.store.db import from_db_time, to_db_time

#: ``reading``: the pages and images the app fetched while the reader read (one row per
#: session of the app), so history, stats and the data budget count them too.
RefreshKind = Literal["feeds", "full_text", "reading"]
REFRESH_KINDS: tuple[RefreshKind, ...] = ("feeds", "full_text", "reading")


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    id: int
    kind: RefreshKind
    started_at: datetime
    finished_at: datetime | None
    feeds: int
    updated: int
    #: Feeds that answered 304 (a server sending the same bytes again is not counted).
    not_modified: int
    failed: int
    new_articles: int
    bytes_downloaded: int


class HistoryMixin(StoreBase):
    def record_refresh(
        self,
        started_at: datetime,
        finished_at: datetime,
        feeds: int,
        updated: int,
        not_modified: int,
        failed: int,
        new_articles: int,
        bytes_downloaded: int,
        kind: RefreshKind = "feeds",
    ) -> int:
        """Log one finished refresh (``feeds``) or full-text prefetch; returns its id.

        For a prefetch, ``feeds`` counts pages tried, ``updated`` pages saved.
        """
        if kind not in REFRESH_KINDS:
            raise ValueError(f"unknown refresh kind {kind!r}")
        with self.db.write() as conn:
            cursor = conn.execute(
                """INSERT INTO refreshes (started_at, finished_at, feeds, updated, not_modified,
                   failed, new_articles, bytes_downloaded, kind)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    to_db_time(started_at),
                    to_db_time(finished_at),
                    feeds,
                    updated,
                    not_modified,
                    failed,
                    new_articles,
                    bytes_downloaded,
                    kind,
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def start_refresh(self, started_at: datetime, kind: RefreshKind = "feeds") -> int:
        """Log a refresh as it starts (unfinished, nothing counted yet); returns its id.

        Kept up to date with :meth:`update_refresh` while it runs, so a refresh that is
        killed still appears in the history with the bytes it had downloaded.
        """
        if kind not in REFRESH_KINDS:
            raise ValueError(f"unknown refresh kind {kind!r}")
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO refreshes (started_at, kind) VALUES (?, ?)",
                (to_db_time(started_at), kind),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_refresh(
        self,
        refresh_id: int,
        *,
        feeds: int,
        updated: int,
        not_modified: int,
        failed: int,
        new_articles: int,
        bytes_downloaded: int,
        finished_at: datetime | None = None,
    ) -> None:
        """The running totals of a logged refresh; ``finished_at`` once it has ended."""
        with self.db.write() as conn:
            conn.execute(
                """UPDATE refreshes SET feeds = ?, updated = ?, not_modified = ?, failed = ?,
                   new_articles = ?, bytes_downloaded = ?, finished_at = ? WHERE id = ?""",
                (
                    feeds,
                    updated,
                    not_modified,
                    failed,
                    new_articles,
                    bytes_downloaded,
                    to_db_time(finished_at),
                    refresh_id,
                ),
            )

    def recent_refreshes(
        self, limit: int = 20, *, kind: RefreshKind | None = None
    ) -> list[RefreshRecord]:
        """The latest refreshes, newest first (both kinds unless ``kind`` is given)."""
        where = "" if kind is None else " WHERE kind = ?"
        params: tuple[object, ...] = () if kind is None else (kind,)
        with self.db.read() as conn:
            rows = conn.execute(
                f"""SELECT id, kind, started_at, finished_at, feeds, updated, not_modified,
                    failed, new_articles, bytes_downloaded FROM refreshes{where}
                    ORDER BY id DESC LIMIT ?""",
                (*params, limit),
            ).fetchall()
        return [
            RefreshRecord(
                id=row[0],
                kind=row[1],
                started_at=from_db_time(row[2]) or self.now(),
                finished_at=from_db_time(row[3]),
                feeds=row[4],
                updated=row[5],
                not_modified=row[6],
                failed=row[7],
                new_articles=row[8],
                bytes_downloaded=row[9],
            )
            for row in rows
        ]

    def bytes_downloaded_since(self, since: datetime) -> int:
        """Everything refreshes and prefetches downloaded since ``since`` (a data budget)."""
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT coalesce(sum(bytes_downloaded), 0) FROM refreshes WHERE started_at >= ?",
                (to_db_time(since),),
            ).fetchone()
        return int(row[0])
