"""The "For you" ranking: learned taste + feed affinity + freshness, duplicates grouped.

score = CONTENT_WEIGHT * (sum of the article's feature weights) / sqrt(feature count)
      + FEED_WEIGHT * feed-affinity prior (how many articles of the feed the reader engaged with)
      + FRESHNESS_WEIGHT * 2 ** (-age / FRESHNESS_HALF_LIFE)

With no signals only the last two count: newest first, the reader's most-read feeds first
among equally fresh articles. The constants were chosen with bench/recommend_bench.py.
"""

from __future__ import annotations

import heapq
import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from tuireader.recommend.dedup import DuplicateIndex
from tuireader.recommend.explain import ScoreParts, explain
from tuireader.recommend.features import ArticleVector, vectorize
from tuireader.recommend.model import PreferenceModel
from tuireader.recommend.types import ArticleFeatures, Recommendation, Signal

CONTENT_WEIGHT = 1.0
FEED_WEIGHT = 0.3
FRESHNESS_WEIGHT = 0.5
FRESHNESS_HALF_LIFE = 2 * 24 * 3600.0
STATE_VERSION = 1


class Recommender:
    """Learns from signals (``observe``) and ranks unread articles (``rank``).

    Feature vectors and duplicate keys are cached by article id, so an article is analysed
    once; call :meth:`forget` when an article's text changes or it is deleted.
    """

    def __init__(self, model: PreferenceModel | None = None) -> None:
        self._model = model or PreferenceModel()
        self._vectors: dict[int, ArticleVector] = {}
        self._stories = DuplicateIndex()

    @classmethod
    def from_signals(
        cls, signals: Iterable[Signal], articles: Mapping[int, ArticleFeatures]
    ) -> Recommender:
        """Replay every signal in time order; signals on unknown articles are ignored."""
        recommender = cls()
        for signal in sorted(signals, key=lambda s: s.at):
            article = articles.get(signal.article_id)
            if article is not None:
                recommender.observe(signal, article)
        return recommender

    def observe(self, signal: Signal, article: ArticleFeatures) -> None:
        """Learn from one signal; the next :meth:`rank` reflects it."""
        if signal.article_id != article.id:
            raise ValueError(f"signal for article {signal.article_id} given article {article.id}")
        self._model.observe(signal.kind, self._vector(article))

    def forget(self, article_id: int) -> None:
        """Drop the cached analysis of an article (its learned evidence stays)."""
        self._vectors.pop(article_id, None)

    def _vector(self, article: ArticleFeatures) -> ArticleVector:
        vector = self._vectors.get(article.id)
        if vector is None:
            vector = self._vectors[article.id] = vectorize(article)
            self._stories.add(article)
        return vector

    def prepare(self, articles: Iterable[ArticleFeatures]) -> None:
        """Analyse articles ahead of ranking (e.g. in a worker after a refresh)."""
        for article in articles:
            self._vector(article)

    def rank(
        self, candidates: Sequence[ArticleFeatures], *, now: datetime, limit: int = 50
    ) -> list[Recommendation]:
        """The best ``limit`` candidates, best first, each with its same-story twins."""
        if limit <= 0 or not candidates:
            return []
        vectors = [self._vector(article) for article in candidates]
        scores = self._scores(vectors, now.timestamp())
        pool = {vector.id for vector in vectors}
        by_id = {article.id: article for article in candidates}
        taken: set[int] = set()
        picked: list[tuple[int, float, tuple[int, ...]]] = []
        window = min(len(vectors), 2 * limit + 16)
        while True:
            order = heapq.nlargest(window, range(len(vectors)), key=scores.__getitem__)
            for position in order:
                article_id = vectors[position].id
                if article_id in taken:
                    continue
                twins = sorted(
                    i for i in self._stories.duplicates_of(article_id, pool) if i not in taken
                )
                taken.add(article_id)
                taken.update(twins)
                picked.append((position, scores[position], tuple(twins)))
                if len(picked) == limit:
                    break
            if len(picked) == limit or window == len(vectors):
                break
            # Many twins were folded away: look further down the ranking.
            picked.clear()
            taken.clear()
            window = min(len(vectors), window * 4)
        return [
            Recommendation(
                article_id=vectors[position].id,
                score=score,
                why=self._why(by_id[vectors[position].id], vectors[position], now.timestamp()),
                duplicates=twins,
            )
            for position, score, twins in picked
        ]

    def _scores(self, vectors: list[ArticleVector], now: float) -> list[float]:
        feed_prior = {
            feed_id: FEED_WEIGHT * value if value > 0 else value
            for feed_id, value in self._model.feed_scores().items()
        }
        prior_of = feed_prior.get
        decay = -math.log(2.0) / FRESHNESS_HALF_LIFE
        exp = math.exp
        if not self._model.has_taste:
            return [
                prior_of(v.feed_id, 0.0)
                + (
                    FRESHNESS_WEIGHT * exp(decay * max(0.0, now - v.published))
                    if v.published is not None
                    else 0.0
                )
                for v in vectors
            ]
        weight_of = self._model.weights().__getitem__
        return [
            CONTENT_WEIGHT * v.norm * sum(map(weight_of, v.features))
            + prior_of(v.feed_id, 0.0)
            + (
                FRESHNESS_WEIGHT * exp(decay * max(0.0, now - v.published))
                if v.published is not None
                else 0.0
            )
            for v in vectors
        ]

    def _why(self, article: ArticleFeatures, vector: ArticleVector, now: float) -> str:
        feed_value = self._model.feed_scores().get(article.feed_id, 0.0)
        freshness = 0.0
        if vector.published is not None:
            age = max(0.0, now - vector.published)
            freshness = FRESHNESS_WEIGHT * 2.0 ** (-age / FRESHNESS_HALF_LIFE)
        parts = ScoreParts(
            content_scale=CONTENT_WEIGHT * vector.norm,
            feed=FEED_WEIGHT * feed_value if feed_value > 0 else feed_value,
            freshness=freshness,
        )
        return explain(article, parts, self._model, self._model.weights())

    # --- persistence --------------------------------------------------------------------

    def to_state(self) -> bytes:
        """The learned model (not the per-article cache), compact and pickle-free."""
        payload = {"version": STATE_VERSION, "model": self._model.export()}
        return zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"))

    @classmethod
    def from_state(cls, state: bytes) -> Recommender:
        """Rebuild from :meth:`to_state`; ValueError if it is corrupt or from another version."""
        try:
            payload = json.loads(zlib.decompress(state))
        except (zlib.error, ValueError) as error:
            raise ValueError(f"unreadable recommender state: {error}") from error
        if not isinstance(payload, dict) or payload.get("version") != STATE_VERSION:
            raise ValueError("recommender state is from another version")
        try:
            return cls(PreferenceModel.restore(payload["model"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"malformed recommender state: {error}") from error
