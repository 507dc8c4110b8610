"""What the recommender reads from the store besides the event log: article features."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tuireader.store.base import FEED_TITLE_SQL, StoreBase

if TYPE_CHECKING:
    # Imported where used: the recommender package costs ~0.05-0.1 s to import, and every
    # command and the app's start import the store.
    from tuireader.recommend import ArticleFeatures

#: How much of an article's text the recommender looks at: enough for its first 40 content
#: words (MAX_TEXT_WORDS) in almost every article; tokenising more is wasted.
FEATURE_TEXT_LIMIT = 700


class SignalsMixin(StoreBase):
    def article_features(self, ids: list[int]) -> dict[int, ArticleFeatures]:
        """What the recommender reads about each article. The text is the search index's
        (already plain: stripping 50,000 articles' HTML again would take seconds)."""
        from tuireader.recommend import ArticleFeatures

        found: dict[int, ArticleFeatures] = {}
        with self.db.read() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = conn.execute(
                    f"""SELECT a.id, a.feed_id,
                        {FEED_TITLE_SQL}, a.title, a.author,
                        a.categories, (SELECT substr(t.body, 1, ?) FROM articles_fts t
                                       WHERE t.rowid = a.id),
                        a.link, CAST(strftime('%s', a.published) AS INTEGER),
                        CAST(strftime('%s', a.first_seen) AS INTEGER)
                        FROM articles a JOIN feeds f ON f.id = a.feed_id
                        WHERE a.id IN ({",".join("?" * len(chunk))})""",
                    (FEATURE_TEXT_LIMIT, *chunk),
                ).fetchall()
                for r in rows:
                    try:
                        categories = tuple(str(c) for c in json.loads(r[5] or "[]"))
                    except ValueError:
                        categories = ()
                    found[r[0]] = ArticleFeatures(
                        id=r[0],
                        feed_id=r[1],
                        feed_title=r[2],
                        title=r[3],
                        author=r[4],
                        categories=categories,
                        text=r[6] or "",
                        link=r[7],
                        published=_from_epoch(r[8]),
                        first_seen=_from_epoch(r[9]),
                    )
        return found


def _from_epoch(seconds: int | None) -> datetime | None:
    """SQLite turns the stored times into seconds: ten times cheaper than strptime."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)
