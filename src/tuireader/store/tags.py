"""Tags: many per feed and per article (folders stay one per feed). Names are case-blind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tuireader.sanitize import clean_line
from tuireader.store.base import StoreBase
from tuireader.store.db import StoreError

MAX_TAG = 100


@dataclass(frozen=True, slots=True)
class TagCount:
    """A tag as the sidebar shows it: how many feeds and articles carry it, unread among them."""

    name: str
    feeds: int
    articles: int
    unread: int


def tag_name(text: str) -> str:
    """A tag as stored: one clean line; an empty one is a :class:`StoreError`."""
    name = clean_line(text).strip()[:MAX_TAG]
    if not name:
        raise StoreError("a tag needs a name")
    return name


class TagsMixin(StoreBase):
    def feed_tags(self, feed_id: int) -> list[str]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT tag FROM feed_tags WHERE feed_id = ? ORDER BY tag", (feed_id,)
            ).fetchall()
        return [row[0] for row in rows]

    def article_tags(self, article_id: int) -> list[str]:
        """The article's own tags (its feed's are in :meth:`feed_tags`)."""
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT tag FROM article_tags WHERE article_id = ? ORDER BY tag", (article_id,)
            ).fetchall()
        return [row[0] for row in rows]

    def tag_feed(self, feed_id: int, name: str, *, remove: bool = False) -> bool:
        """Tag (or untag) a feed; False when nothing changed."""
        return self._tag("feed_tags", "feed_id", feed_id, tag_name(name), remove)

    def tag_article(self, article_id: int, name: str, *, remove: bool = False) -> bool:
        """Tag (or untag) an article; False when nothing changed."""
        return self._tag("article_tags", "article_id", article_id, tag_name(name), remove)

    def tag_feeds_by_url(self, tagged: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Give feeds (by URL) these tags too, in one transaction (an import's batch);
        blank names and unknown URLs are skipped."""
        rows = [
            (name, url)
            for url, names in tagged
            for name in sorted({clean_line(n).strip()[:MAX_TAG] for n in names})
            if name
        ]
        with self.db.write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO feed_tags (feed_id, tag)"
                " SELECT id, ? FROM feeds WHERE url = ?",
                rows,
            )

    def _tag(self, table: str, column: str, key: int, name: str, remove: bool) -> bool:
        with self.db.write() as conn:
            if remove:
                cursor = conn.execute(
                    f"DELETE FROM {table} WHERE {column} = ? AND tag = ?", (key, name)
                )
            else:
                cursor = conn.execute(
                    f"INSERT OR IGNORE INTO {table} ({column}, tag) VALUES (?, ?)", (key, name)
                )
        return cursor.rowcount > 0

    def tag_counts(self) -> list[TagCount]:
        """Every tag in use with its counts (hidden articles left out), by name."""
        with self.db.read() as conn:
            feeds = dict(
                conn.execute("SELECT tag, count(*) FROM feed_tags GROUP BY tag").fetchall()
            )
            names = {row[0] for row in conn.execute("SELECT DISTINCT tag FROM article_tags")}
            articles = {
                row[0]: (row[1], row[2])
                for row in conn.execute(
                    """WITH tagged AS (
                           SELECT t.tag AS tag, a.id AS id, a.read AS read
                           FROM article_tags t JOIN articles a ON a.id = t.article_id
                           WHERE a.hidden = 0
                           UNION
                           SELECT ft.tag, a.id, a.read
                           FROM feed_tags ft JOIN articles a ON a.feed_id = ft.feed_id
                           WHERE a.hidden = 0)
                       SELECT tag, count(*), coalesce(sum(read = 0), 0)
                       FROM tagged GROUP BY tag COLLATE NOCASE"""
                )
            }
        folded: dict[str, str] = {}
        for name in [*feeds, *names]:
            folded.setdefault(name.casefold(), name)
        counts = []
        for key, name in sorted(folded.items()):
            total, unread = next((v for k, v in articles.items() if k.casefold() == key), (0, 0))
            feed_count = sum(v for k, v in feeds.items() if k.casefold() == key)
            counts.append(TagCount(name, feed_count, total, unread))
        return counts
