"""The For you recommender's persisted state: per-article vectors and the folded model.

The store keeps bytes and bookkeeping only; what the bytes mean is the recommender's
(``tuireader.recommend``), which also sets the version numbers that invalidate them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tuireader.store.base import StoreBase
from tuireader.store.db import to_db_time

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class RecommendState:
    version: int
    #: The newest event folded into ``data``.
    last_event: int
    #: How many events with ``id <= last_event`` were in the log when it was folded.
    folded_events: int
    data: bytes


@dataclass(frozen=True, slots=True)
class CompactableEvent:
    """An event as folding and compaction see it: no time."""

    id: int
    article_id: int | None
    kind: str
    feed_id: int | None = None


class RecommendStateMixin(StoreBase):
    def for_you_candidate_vectors(
        self, *, limit: int, version: int
    ) -> list[tuple[int, bytes | None]]:
        """Unread articles the reader has not acted on yet, newest first, each with its
        stored vector when one of ``version`` matches its current content (else None).

        Recommended or starred articles are already found, and one marked "less like
        this" was turned down: none of them is a suggestion any more. Muted feeds are out.
        """
        with self.db.read() as conn:
            rows = conn.execute(
                """SELECT a.id, v.data FROM articles a
                   LEFT JOIN recommend_vectors v
                     ON v.article_id = a.id AND v.version = ? AND v.content_hash = a.content_hash
                   WHERE a.read = 0 AND a.recommended = 0 AND a.starred = 0
                   AND a.feed_id NOT IN (SELECT id FROM feeds WHERE muted = 1)
                   AND NOT EXISTS (SELECT 1 FROM events e
                                   WHERE e.article_id = a.id AND e.kind = 'less_like')
                   ORDER BY a.sort_date DESC, a.id DESC LIMIT ?""",
                (version, limit),
            ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def article_vectors(self, ids: list[int], *, version: int) -> dict[int, bytes]:
        """Stored vectors of ``version`` that still match their article's content."""
        found: dict[int, bytes] = {}
        with self.db.read() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                for row in conn.execute(
                    f"""SELECT v.article_id, v.data FROM recommend_vectors v
                        JOIN articles a ON a.id = v.article_id AND a.content_hash = v.content_hash
                        WHERE v.version = ? AND v.article_id IN ({",".join("?" * len(chunk))})""",
                    (version, *chunk),
                ):
                    found[row[0]] = row[1]
        return found

    def save_article_vectors(self, vectors: Iterable[tuple[int, bytes]], *, version: int) -> None:
        """Keep analysed articles' vectors, tagged with their article's content hash."""
        rows = list(vectors)
        if not rows or self.db.read_only:
            return
        with self.db.write() as conn:
            conn.executemany(
                """INSERT OR REPLACE INTO recommend_vectors
                   (article_id, version, content_hash, data)
                   SELECT id, ?, content_hash, ? FROM articles WHERE id = ?""",
                [(version, data, article_id) for article_id, data in rows],
            )

    def load_recommend_state(self) -> RecommendState | None:
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT version, last_event, folded_events, data FROM recommend_state"
            ).fetchone()
        return None if row is None else RecommendState(row[0], row[1], row[2], bytes(row[3]))

    def save_recommend_state(self, state: RecommendState) -> None:
        if self.db.read_only:
            return
        with self.db.write() as conn:
            conn.execute(
                """INSERT OR REPLACE INTO recommend_state
                   (id, version, last_event, folded_events, saved_at, data)
                   VALUES (1, ?, ?, ?, ?, ?)""",
                (
                    state.version,
                    state.last_event,
                    state.folded_events,
                    to_db_time(self.now()),
                    state.data,
                ),
            )

    def signal_events(self, *, since_id: int) -> list[CompactableEvent]:
        """The log after ``since_id`` without the times (what folding needs, read cheaply)."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT id, article_id, kind, feed_id FROM events WHERE id > ? ORDER BY id",
                (since_id,),
            ).fetchall()
        return [CompactableEvent(row[0], row[1], row[2], row[3]) for row in rows]

    def count_events_through(self, last_event: int) -> int:
        with self.db.read() as conn:
            return int(
                conn.execute("SELECT count(*) FROM events WHERE id <= ?", (last_event,)).fetchone()[
                    0
                ]
            )

    def compactable_events(
        self, *, through: int, before: datetime, kinds: Iterable[str]
    ) -> list[CompactableEvent]:
        """Events of ``kinds`` up to id ``through`` and older than ``before``, oldest first."""
        wanted = sorted(set(kinds))
        with self.db.read() as conn:
            rows = conn.execute(
                f"""SELECT id, article_id, kind FROM events
                    WHERE id <= ? AND at < ? AND kind IN ({",".join("?" * len(wanted))})
                    ORDER BY id""",
                (through, to_db_time(before), *wanted),
            ).fetchall()
        return [CompactableEvent(row[0], row[1], row[2]) for row in rows]

    def delete_folded_events(self, ids: list[int], *, state_through: int) -> int:
        """Delete events already folded into the persisted state and keep its count right,
        in one transaction. Returns how many were deleted."""
        if not ids or self.db.read_only:
            return 0
        deleted = 0
        with self.db.write() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                cursor = conn.execute(
                    f"DELETE FROM events WHERE id <= ? AND id IN ({','.join('?' * len(chunk))})",
                    (state_through, *chunk),
                )
                deleted += cursor.rowcount
            conn.execute(
                """UPDATE recommend_state SET folded_events = folded_events - ?
                   WHERE last_event = ?""",
                (deleted, state_through),
            )
        return deleted
