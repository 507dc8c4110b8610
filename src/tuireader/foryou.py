"""The "For you" view: the recommender kept in step with the store's event log.

Signals are the store's events, so what the CLI records counts exactly like the same
action in the app. The model is rebuilt from the log on first use and then follows it
incrementally; article analyses are cached, so re-ranking after a signal is cheap.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tuireader.models import ArticleSummary
from tuireader.recommend import ArticleFeatures, Recommender, Signal, SignalKind
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
        self._features: dict[int, ArticleFeatures] = {}
        self._lock = threading.Lock()

    def sync(self) -> None:
        """Learn from the events recorded since the last call (by anyone, any process)."""
        with self._lock:
            events = self.store.events(since_id=self._last_event)
            if not events:
                return
            self._last_event = events[-1].id
            signals: list[Signal] = []
            for event in events:
                if event.kind not in _SIGNAL_KINDS:
                    continue
                article_id = event.article_id
                if event.kind == "mute_feed" and article_id is None and event.feed_id:
                    article_id = self.store.latest_article_of_feed(event.feed_id)
                if article_id is not None:
                    signals.append(Signal(article_id, event.kind, event.at))
            features = self._features_of([s.article_id for s in signals])
            for signal in signals:
                if signal.article_id in features:
                    self._recommender.observe(signal, features[signal.article_id])

    def _features_of(self, ids: list[int]) -> dict[int, ArticleFeatures]:
        """Features by id, read from the store once per article and then kept.

        Re-ranking (after every "less like this") would otherwise re-read and re-strip
        the text of all 5,000 candidates each time.
        """
        missing = [i for i in dict.fromkeys(ids) if i not in self._features]
        if missing:
            self._features.update(self.store.article_features(missing))
        return {i: self._features[i] for i in ids if i in self._features}

    def rank(self, *, limit: int = 50) -> list[ForYouItem]:
        self.sync()
        ids = self.store.for_you_candidates(limit=self.candidate_limit)
        with self._lock:
            features = self._features_of(ids)
            candidates = [features[i] for i in ids if i in features]
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
