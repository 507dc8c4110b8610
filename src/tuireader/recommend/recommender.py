"""The "For you" ranking: learned taste + feed affinity + freshness, diverse, twins grouped.

score = CONTENT_WEIGHT * (sum of the article's feature weights) / sqrt(feature count)
      + FEED_WEIGHT * feed-affinity prior (how many articles of the feed the reader engaged with)
      + FRESHNESS_WEIGHT * 2 ** (-age / FRESHNESS_HALF_LIFE)

Age runs from the published date, or from when the store first saw an undated entry; an
undated entry's freshness counts half, because first seen is only a bound (a feed without
dates may list years of entries, all first seen at once when the reader subscribes). With no
signals only the last two terms count: newest first, the reader's most-read feeds first
among equally fresh articles. Picking then caps each feed at FEED_CAP of every ten rows (one
prolific feed cannot fill the top), unless nearly all the reader's engagement is with that
feed. The constants were chosen with bench/recommend_bench.py, which also compares the cap
with MMR.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import repeat
from typing import Literal

from tuireader.recommend.dedup import DuplicateIndex
from tuireader.recommend.explain import explain
from tuireader.recommend.model import UNDO_LESS_LIKE, PreferenceModel
from tuireader.recommend.types import ArticleFeatures, Recommendation, Signal
from tuireader.recommend.vectors import VECTOR_VERSION, ArticleVector, vectorize

CONTENT_WEIGHT = 1.0
FEED_WEIGHT = 0.3
FRESHNESS_WEIGHT = 0.5
FRESHNESS_HALF_LIFE = 2 * 24 * 3600.0
#: The share of freshness an undated entry gets (see the module doc).
UNDATED_FRESHNESS = 0.5
#: At most this many of every ten rows from one feed...
FEED_CAP = 3
#: ...unless this share of the reader's engagement is with that feed (and there is enough
#: of it to say so: the first two articles opened say little about a reader).
FEED_CAP_EXEMPT_SHARE = 0.8
FEED_CAP_EXEMPT_MIN = 10
#: Maximal marginal relevance, the alternative the bench measures: each row already taken
#: from a feed lowers that feed's next article by this much.
MMR_PENALTY = 0.5
#: The persisted model's format. It learned feature hashes, so it is only valid with the
#: analysis that made them: a new VECTOR_VERSION makes a new state version too.
STATE_VERSION = 2 * 1000 + VECTOR_VERSION

Diversity = Literal["cap", "mmr", "none"]
Details = Callable[[list[int]], Mapping[int, ArticleFeatures]]


_DECAY = -math.log(2.0) / FRESHNESS_HALF_LIFE


def freshness(vector: ArticleVector, now: float) -> float:
    """FRESHNESS_WEIGHT halved every FRESHNESS_HALF_LIFE of age; 0 when never dated."""
    if vector.published is None:
        return 0.0
    weight = FRESHNESS_WEIGHT * (UNDATED_FRESHNESS if vector.undated else 1.0)
    return weight * math.exp(_DECAY * max(0.0, now - vector.published))


class Recommender:
    """Learns from signals (``observe``) and ranks unread articles (``rank``).

    Feature vectors and duplicate keys are cached by article id, so an article is analysed
    once; call :meth:`forget` when an article's text changes or it is deleted.
    """

    def __init__(self, model: PreferenceModel | None = None, *, diversity: Diversity = "cap"):
        self._model = model or PreferenceModel()
        self._vectors: dict[int, ArticleVector] = {}
        self._stories = DuplicateIndex()
        self.diversity: Diversity = diversity

    @property
    def model(self) -> PreferenceModel:
        return self._model

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
        self._model.observe(signal.kind, self.vector(article))

    def observe_vector(self, kind: str, vector: ArticleVector) -> None:
        """Learn from one signal on an article already analysed (e.g. read from the store)."""
        self._model.observe(kind, vector)

    def undo_less_like(self, vector: ArticleVector) -> None:
        """Forget a "less like this" the store has taken back."""
        self._model.observe(UNDO_LESS_LIKE, vector)

    def forget(self, article_id: int) -> None:
        """Drop the cached analysis of an article (its learned evidence stays)."""
        self._vectors.pop(article_id, None)

    def vector(self, article: ArticleFeatures) -> ArticleVector:
        vector = self._vectors.get(article.id)
        if vector is None:
            vector = self._vectors[article.id] = vectorize(article)
        return vector

    def prepare(self, articles: Iterable[ArticleFeatures]) -> None:
        """Analyse articles ahead of ranking (e.g. in a worker after a refresh)."""
        for article in articles:
            self.vector(article)

    def rank(
        self, candidates: Sequence[ArticleFeatures], *, now: datetime, limit: int = 50
    ) -> list[Recommendation]:
        """The best ``limit`` candidates, best first, each with its same-story twins."""
        by_id = {article.id: article for article in candidates}
        return self.rank_vectors(
            [self.vector(article) for article in candidates],
            now=now,
            limit=limit,
            details=lambda ids: by_id,
        )

    def rank_vectors(
        self, vectors: Sequence[ArticleVector], *, now: datetime, limit: int, details: Details
    ) -> list[Recommendation]:
        """Rank analysed articles; ``details`` gives the texts of the few picked, to say why."""
        if limit <= 0 or not vectors:
            return []
        for vector in vectors:
            if vector.id not in self._stories:
                self._stories.add(vector.id, vector.link, vector.signature)
        tastes = self._tastes(vectors)
        scores = self._scores(vectors, tastes, now.timestamp())
        picked = self._pick(vectors, scores, tastes, limit)
        texts = details([vectors[position].id for position, _ in picked])
        return [
            Recommendation(
                article_id=vectors[position].id,
                score=scores[position],
                why=self._why(texts[vectors[position].id], vectors[position])
                if vectors[position].id in texts
                else "",
                duplicates=twins,
            )
            for position, twins in picked
        ]

    def _pick(
        self, vectors: Sequence[ArticleVector], scores: list[float], tastes: list[float], limit: int
    ) -> list[tuple[int, tuple[int, ...]]]:
        """Best first, twins folded under the first of their story, feeds kept diverse.

        The cap never lets an article the reader's taste scores below zero take the place
        of a better one from a capped feed: variety, but not of things they turned down.
        """
        pool = {vector.id for vector in vectors}
        taken: set[int] = set()
        picked: list[tuple[int, tuple[int, ...]]] = []
        per_feed: Counter[int] = Counter()
        exempt = {
            feed_id
            for feed_id in {v.feed_id for v in vectors}
            if self._model.engaged_articles(feed_id) >= FEED_CAP_EXEMPT_MIN
            and self._model.engagement_share(feed_id) >= FEED_CAP_EXEMPT_SHARE
        }
        order = sorted(range(len(vectors)), key=scores.__getitem__, reverse=True)

        def take(position: int) -> None:
            article_id = vectors[position].id
            twins = tuple(
                sorted(i for i in self._stories.duplicates_of(article_id, pool) if i not in taken)
            )
            taken.add(article_id)
            taken.update(twins)
            picked.append((position, twins))
            per_feed[vectors[position].feed_id] += 1

        if self.diversity == "mmr":
            self._pick_mmr(vectors, scores, order, limit, taken, per_feed, exempt, take)
            return picked
        deferred: list[int] = []
        remaining = iter(order)

        def fits(position: int) -> bool:
            feed_id = vectors[position].feed_id
            allowed = FEED_CAP * (len(picked) // 10 + 1)
            return self.diversity == "none" or feed_id in exempt or per_feed[feed_id] < allowed

        while len(picked) < limit:
            deferred = [p for p in deferred if vectors[p].id not in taken]
            choice = next((p for p in deferred if fits(p)), None)
            if choice is not None:
                deferred.remove(choice)
            else:
                for position in remaining:
                    if vectors[position].id in taken:
                        continue
                    if fits(position):
                        choice = position
                        break
                    deferred.append(position)
            if choice is not None and deferred and tastes[choice] < 0.0:
                deferred.append(choice)
                choice = None
            if choice is None:
                # Only capped feeds (or disliked articles) are left: fill with the best.
                if not deferred:
                    break
                choice = deferred.pop(0)
            take(choice)
        return picked

    def _pick_mmr(
        self,
        vectors: Sequence[ArticleVector],
        scores: list[float],
        order: list[int],
        limit: int,
        taken: set[int],
        per_feed: Counter[int],
        exempt: set[int],
        take: Callable[[int], None],
    ) -> None:
        """Greedy MMR with "same feed" as the similarity: score - penalty x rows of its feed."""
        queues: dict[int, list[int]] = {}
        for position in order:
            queues.setdefault(vectors[position].feed_id, []).append(position)
        heads = dict.fromkeys(queues, 0)
        while sum(per_feed.values()) < limit:
            best: tuple[float, int, int] | None = None
            for feed_id, queue in queues.items():
                index = heads[feed_id]
                while index < len(queue) and vectors[queue[index]].id in taken:
                    index += 1
                heads[feed_id] = index
                if index == len(queue):
                    continue
                penalty = 0.0 if feed_id in exempt else MMR_PENALTY * per_feed[feed_id]
                value = scores[queue[index]] - penalty
                if best is None or value > best[0]:
                    best = (value, feed_id, queue[index])
            if best is None:
                return
            take(best[2])

    def _tastes(self, vectors: Sequence[ArticleVector]) -> list[float]:
        """The learned part of each score: how much the reader's taste likes the article."""
        if not self._model.has_taste:
            return [0.0] * len(vectors)
        weight_of = self._model.weights().get
        zero = repeat(0.0)
        return [CONTENT_WEIGHT * v.norm * sum(map(weight_of, v.features, zero)) for v in vectors]

    def _scores(
        self, vectors: Sequence[ArticleVector], tastes: list[float], now: float
    ) -> list[float]:
        feed_prior = {
            feed_id: FEED_WEIGHT * value if value > 0 else value
            for feed_id, value in self._model.feed_scores().items()
        }
        prior_of = feed_prior.get
        return [
            taste + prior_of(v.feed_id, 0.0) + freshness(v, now)
            for v, taste in zip(vectors, tastes, strict=True)
        ]

    def _why(self, article: ArticleFeatures, vector: ArticleVector) -> str:
        scale = CONTENT_WEIGHT * vector.norm
        return explain(article, scale, self._model, self._model.weights())

    # --- persistence --------------------------------------------------------------------

    def to_state(self) -> bytes:
        """The learned model (not the per-article cache), compact and pickle-free."""
        return zlib.compress(STATE_VERSION.to_bytes(4, "little") + self._model.export(), 1)

    @classmethod
    def from_state(cls, state: bytes) -> Recommender:
        """Rebuild from :meth:`to_state`; ValueError if it is corrupt or from another version."""
        try:
            payload = zlib.decompress(state)
        except zlib.error as error:
            raise ValueError(f"unreadable recommender state: {error}") from error
        if int.from_bytes(payload[:4], "little") != STATE_VERSION:
            raise ValueError("recommender state is from another version")
        return cls(PreferenceModel.restore(payload[4:]))
