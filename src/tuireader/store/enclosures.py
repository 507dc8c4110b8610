"""Enclosures (podcast episodes and other attachments): the download queue and playback state.

An article's enclosures come from its feed (``articles.enclosures``); what the reader did with
each one lives in ``enclosure_state``, created on first use. "Played" is kept apart from the
article's read mark: reading the show notes is not listening to the episode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tuireader.store.articles import decode_enclosures
from tuireader.store.base import FEED_TITLE_SQL, StoreBase
from tuireader.store.db import from_db_time, to_db_time

DownloadState = Literal["none", "queued", "done", "failed"]


@dataclass(frozen=True, slots=True)
class EnclosureState:
    article_id: int
    url: str
    #: What the feed says of it.
    type: str | None
    length: int | None
    article_title: str
    feed_title: str
    #: The download: its state, the file once done, bytes so far and the expected total.
    download: DownloadState = "none"
    path: str | None = None
    bytes: int = 0
    total: int | None = None
    error: str | None = None
    downloaded_at: datetime | None = None
    #: Playback: seconds into the file, its duration (the player's, else the feed's), and
    #: whether it ended.
    position: float = 0.0
    duration: float | None = None
    played: bool = False
    played_at: datetime | None = None


_STATE_COLUMNS = """s.download, s.path, s.bytes, s.total, s.error, s.downloaded_at,
    s.position, s.duration, s.played, s.played_at"""


class EnclosuresMixin(StoreBase):
    def enclosure_states(self, article_id: int) -> list[EnclosureState]:
        """Every enclosure of the article, in feed order, with what was done with it."""
        with self.db.read() as conn:
            row = conn.execute(
                f"""SELECT a.enclosures, a.title, {FEED_TITLE_SQL} FROM articles a
                    JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
                (article_id,),
            ).fetchone()
            if row is None:
                return []
            rows = conn.execute(
                f"SELECT s.url, {_STATE_COLUMNS} FROM enclosure_state s WHERE s.article_id = ?",
                (article_id,),
            ).fetchall()
        done = {r[0]: r[1:] for r in rows}
        states = []
        for enclosure in decode_enclosures(row[0]):
            base = EnclosureState(
                article_id,
                enclosure.url,
                enclosure.type,
                enclosure.length,
                row[1],
                row[2],
                duration=enclosure.duration,
            )
            kept = done.get(enclosure.url)
            states.append(_with_state(base, kept) if kept else base)
        return states

    def queue_downloads(self, article_ids: Sequence[int]) -> list[EnclosureState]:
        """Queue every enclosure of these articles that is not downloaded yet; returns them."""
        now = to_db_time(self.now())
        queued: list[EnclosureState] = []
        for article_id in article_ids:
            for state in self.enclosure_states(article_id):
                if state.download == "done":
                    continue
                queued.append(state)
        if queued:
            with self.db.write() as conn:
                conn.executemany(
                    """INSERT INTO enclosure_state (article_id, url, download, queued_at)
                       VALUES (?, ?, 'queued', ?)
                       ON CONFLICT (article_id, url) DO UPDATE SET
                       download = 'queued', error = NULL, queued_at = excluded.queued_at""",
                    [(s.article_id, s.url, now) for s in queued],
                )
        return queued

    def requeue_failed(self) -> list[EnclosureState]:
        """Put failed downloads back in the queue (they resume); returns the whole queue."""
        with self.db.write() as conn:
            conn.execute("UPDATE enclosure_state SET download = 'queued' WHERE download = 'failed'")
        return self.download_queue()

    def download_queue(self) -> list[EnclosureState]:
        """What waits to be downloaded, oldest request first."""
        return self._states("s.download = 'queued'", "s.queued_at, s.article_id")

    def downloads(self) -> list[EnclosureState]:
        """Every enclosure that was queued, downloaded or failed, newest request first."""
        return self._states("s.download != 'none'", "s.queued_at DESC, s.article_id DESC")

    def assign_download_path(self, article_id: int, url: str, path: str) -> bool:
        """Claim ``path`` for this enclosure's file; False when another enclosure has it."""
        with self.db.write() as conn:
            taken = conn.execute(
                "SELECT 1 FROM enclosure_state WHERE path = ? AND NOT (article_id = ? AND url = ?)",
                (path, article_id, url),
            ).fetchone()
            if taken:
                return False
            conn.execute(
                "UPDATE enclosure_state SET path = ? WHERE article_id = ? AND url = ?",
                (path, article_id, url),
            )
        return True

    def finish_download(
        self, article_id: int, url: str, *, path: str, done: int, total: int | None
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                """UPDATE enclosure_state SET download = 'done', path = ?, bytes = ?, total = ?,
                   error = NULL, downloaded_at = ? WHERE article_id = ? AND url = ?""",
                (path, done, total, to_db_time(self.now()), article_id, url),
            )

    def fail_download(self, article_id: int, url: str, *, error: str, done: int) -> None:
        """Keep the bytes so far: a later try resumes from them."""
        with self.db.write() as conn:
            conn.execute(
                """UPDATE enclosure_state SET download = 'failed', error = ?, bytes = ?
                   WHERE article_id = ? AND url = ?""",
                (error, done, article_id, url),
            )

    def forget_download(self, article_id: int, url: str) -> None:
        """The file is gone (cleanup): back to not downloaded, playback state kept."""
        with self.db.write() as conn:
            conn.execute(
                """UPDATE enclosure_state SET download = 'none', path = NULL, bytes = 0,
                   total = NULL, error = NULL, downloaded_at = NULL
                   WHERE article_id = ? AND url = ?""",
                (article_id, url),
            )

    def record_playback(
        self, article_id: int, url: str, *, position: float, duration: float | None, played: bool
    ) -> None:
        now = to_db_time(self.now())
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO enclosure_state (article_id, url, position, duration, played,
                   played_at) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (article_id, url) DO UPDATE SET position = excluded.position,
                   duration = coalesce(excluded.duration, duration), played = excluded.played,
                   played_at = CASE WHEN excluded.played THEN excluded.played_at
                                    ELSE played_at END""",
                (article_id, url, position, duration, int(played), now if played else None),
            )

    def set_played(self, article_id: int, url: str, played: bool) -> None:
        """Mark played (or unplayed, which also starts it from the beginning again)."""
        now = to_db_time(self.now())
        with self.db.write() as conn:
            conn.execute(
                """INSERT INTO enclosure_state (article_id, url, played, played_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (article_id, url) DO UPDATE SET played = excluded.played,
                   played_at = excluded.played_at,
                   position = CASE WHEN excluded.played THEN position ELSE 0 END""",
                (article_id, url, int(played), now if played else None),
            )

    def played_downloads(self, *, before: datetime) -> list[EnclosureState]:
        """Downloaded files of episodes played before ``before``: what cleanup may delete."""
        return self._states(
            "s.download = 'done' AND s.played = 1 AND s.played_at < ?",
            "s.played_at",
            (to_db_time(before),),
        )

    def set_auto_download(self, feed_id: int, on: bool) -> None:
        with self.db.write() as conn:
            conn.execute("UPDATE feeds SET auto_download = ? WHERE id = ?", (int(on), feed_id))

    def auto_download(self, feed_id: int) -> bool:
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT auto_download FROM feeds WHERE id = ?", (feed_id,)
            ).fetchone()
        return bool(row and row[0])

    def new_episode_ids(self, *, after_id: int) -> list[int]:
        """Articles stored after ``after_id`` in auto-download feeds that have enclosures."""
        # "+a.sort_date": SQLite would otherwise walk every article in date order (the
        # date index), reading each row, instead of the few new ids in the enclosures index.
        with self.db.read() as conn:
            rows = conn.execute(
                """SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id
                   WHERE f.auto_download = 1 AND f.data_saver = 0 AND a.id > ?
                   AND a.enclosures != '[]' AND a.hidden = 0
                   ORDER BY +a.sort_date, a.id""",
                (after_id,),
            ).fetchall()
        return [row[0] for row in rows]

    def _states(
        self, where: str, order: str, params: tuple[object, ...] = ()
    ) -> list[EnclosureState]:
        with self.db.read() as conn:
            rows = conn.execute(
                f"""SELECT s.article_id, s.url, a.enclosures, a.title, {FEED_TITLE_SQL},
                    {_STATE_COLUMNS}
                    FROM enclosure_state s JOIN articles a ON a.id = s.article_id
                    JOIN feeds f ON f.id = a.feed_id WHERE {where} ORDER BY {order}""",
                params,
            ).fetchall()
        states = []
        for row in rows:
            known = {e.url: e for e in decode_enclosures(row[2])}
            enclosure = known.get(row[1])
            base = EnclosureState(
                row[0],
                row[1],
                enclosure.type if enclosure else None,
                enclosure.length if enclosure else None,
                row[3],
                row[4],
                duration=enclosure.duration if enclosure else None,
            )
            states.append(_with_state(base, row[5:]))
        return states


def _with_state(base: EnclosureState, row: Sequence[Any]) -> EnclosureState:
    download, path, done, total, error, downloaded_at, position, duration, played, played_at = row
    return EnclosureState(
        base.article_id,
        base.url,
        base.type,
        base.length,
        base.article_title,
        base.feed_title,
        download=download,
        path=path,
        bytes=int(done),
        total=total,
        error=error,
        downloaded_at=from_db_time(downloaded_at),
        position=float(position),
        duration=duration if duration is not None else base.duration,
        played=bool(played),
        played_at=from_db_time(played_at),
    )
