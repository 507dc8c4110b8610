"""The "For you" view: the recommender kept in step with the store's event log.

Signals are the store's events, so what the CLI records counts exactly like the same
action in the app. The model is rebuilt from the log on first use and then follows it
incrementally; article analyses are cached, so re-ranking after a signal is cheap.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tuireader.models import ArticleSummary
from tuireader.recommend import Recommender, Signal, SignalKind
from tuireader.store import Store

#: How many of the newest unread articles are ranked; older ones are rarely wanted.
CANDIDATE_LIMIT = 5_000
_SIGNAL_KINDS = frozenset(kind.value for kind in SignalKind)


@dataclass(frozen=True, slots=True)
class ForYouItem:
    article: ArticleSummary
    score: float
    why: str
    duplicates: tuple[int, ...] = ()


class ForYou:
    """Ranks unread articles for one store. Thread-safe; call it from a worker thread."""

    def __init__(self, store: Store, *, candidate_limit: int = CANDIDATE_LIMIT) -> None:
        self.store = store
        self.candidate_limit = candidate_limit
        self._recommender = Recommender()
        self._last_event = 0
        self._lock = threading.Lock()

    def sync(self) -> None:
        """Learn from the events recorded since the last call (by anyone, any process)."""
        with self._lock:
            rows = self.store.event_rows(since_id=self._last_event)
            if not rows:
                return
            self._last_event = rows[-1].id
            for row in rows:
                if row.kind == "mute_feed" and row.article_id is None and row.feed_id:
                    row_article = self.store.latest_article_of_feed(row.feed_id)
                else:
                    row_article = row.article_id
                if row_article is None or row.kind not in _SIGNAL_KINDS:
                    continue
                features = self.store.article_features([row_article]).get(row_article)
                if features is not None:
                    self._recommender.observe(Signal(row_article, row.kind, row.at), features)

    def rank(self, *, limit: int = 50) -> list[ForYouItem]:
        self.sync()
        ids = self.store.for_you_candidates(limit=self.candidate_limit)
        features = self.store.article_features(ids)
        candidates = [features[i] for i in ids if i in features]
        with self._lock:
            ranked = self._recommender.rank(candidates, now=self.store.now(), limit=limit)
        summaries = {s.id: s for s in self.store.summaries([r.article_id for r in ranked])}
        return [
            ForYouItem(summaries[r.article_id], r.score, r.why, r.duplicates)
            for r in ranked
            if r.article_id in summaries
        ]

    def less_like(self, article_id: int) -> None:
        """ "Less like this": recorded as a signal, so the next ranking adapts at once."""
        self.store.record_event("less_like", article_id=article_id)
        self.sync()

    def undo_less_like(self, article_id: int) -> bool:
        """Take a "less like this" back; the model is rebuilt from the log without it."""
        if not self.store.undo_event("less_like", article_id=article_id):
            return False
        with self._lock:
            self._recommender = Recommender()
            self._last_event = 0
        self.sync()
        return True
