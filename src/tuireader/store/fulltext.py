"""Extracted article pages, cached for offline reading and indexed for search."""

from __future__ import annotations

from collections.abc import Sequence

from tuireader.models import FullText
from tuireader.store.base import StoreBase
from tuireader.store.db import from_db_time, to_db_time

#: (article id, link, feed's full_text mode, summary html, content html)
PrefetchCandidate = tuple[int, str, str, str | None, str | None]


class FullTextMixin(StoreBase):
    def save_full_text(self, full_text: FullText, *, search_text: str = "") -> None:
        with self.db.write() as conn:
            exists = conn.execute(
                "SELECT 1 FROM articles WHERE id = ?", (full_text.article_id,)
            ).fetchone()
            if exists is None:
                return  # the article was deleted while its page was being fetched
            conn.execute(
                """INSERT OR REPLACE INTO full_texts (article_id, url, fetched_at, etag, title,
                   standfirst, author, published, markdown, bytes_downloaded, error)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    full_text.article_id,
                    full_text.url,
                    to_db_time(full_text.fetched_at),
                    full_text.etag,
                    full_text.title,
                    full_text.standfirst,
                    full_text.author,
                    to_db_time(full_text.published),
                    full_text.markdown,
                    full_text.bytes_downloaded,
                    full_text.error,
                ),
            )
            if search_text:
                row = conn.execute(
                    "SELECT title, author, body FROM articles_fts WHERE rowid = ?",
                    (full_text.article_id,),
                ).fetchone()
                if row is not None:
                    conn.execute(
                        "DELETE FROM articles_fts WHERE rowid = ?", (full_text.article_id,)
                    )
                    conn.execute(
                        "INSERT INTO articles_fts (rowid, title, author, body) VALUES (?, ?, ?, ?)",
                        (
                            full_text.article_id,
                            row[0],
                            row[1],
                            f"{row[2]}\n{search_text}"[:200_000],
                        ),
                    )

    def get_full_text(self, article_id: int) -> FullText | None:
        with self.db.read() as conn:
            row = conn.execute(
                """SELECT article_id, url, fetched_at, markdown, title, standfirst, author,
                   published, etag, bytes_downloaded, error
                   FROM full_texts WHERE article_id = ?""",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        return FullText(
            article_id=row[0],
            url=row[1],
            fetched_at=from_db_time(row[2]) or self.now(),
            markdown=row[3],
            title=row[4],
            standfirst=row[5],
            author=row[6],
            published=from_db_time(row[7]),
            etag=row[8],
            bytes_downloaded=row[9],
            error=row[10],
        )

    def prefetch_candidates(
        self, *, limit: int, feed_ids: Sequence[int] | None = None
    ) -> list[tuple[int, str, str, str | None, str | None]]:
        """Unread articles without a cached page, newest first, from feeds that allow it.

        Returns (article id, link, feed mode, summary html, content html); the caller
        decides with the teaser heuristic which ones need their page. ``feed_ids`` limits
        the search to those feeds.
        """
        only = ""
        params: list[object] = []
        if feed_ids is not None:
            only = f" AND a.feed_id IN ({','.join('?' * len(feed_ids))})"
            params.extend(feed_ids)
        with self.db.read() as conn:
            rows = conn.execute(
                f"""SELECT a.id, a.link, f.full_text, a.summary_html, a.content_html
                   FROM articles a JOIN feeds f ON f.id = a.feed_id
                   LEFT JOIN full_texts t ON t.article_id = a.id
                   WHERE a.read = 0 AND a.link IS NOT NULL AND t.article_id IS NULL
                     AND f.full_text != 'never'{only}
                   ORDER BY a.sort_date DESC, a.id DESC LIMIT ?""",
                (*params, limit),
            ).fetchall()
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
