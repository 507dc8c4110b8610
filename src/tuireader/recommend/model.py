"""What the reader likes, learned from their signals: a smoothed naive-Bayes feature model.

Each signalled article carries a net evidence: the sum of the strengths of what the reader
did to it (recommend +3, less like -3, skip -1, ...). Positive articles add that mass to
their features' "liked" counts, negative ones to the "not liked" counts. A feature's weight
is its smoothed like rate's log-odds relative to the reader's base like rate
(``logit((pos + a*p0) / (pos + neg + a)) - logit(p0)``): words that appear as often in liked
as in disliked articles weigh nothing, and a feature never seen weighs exactly zero.

Evidence is additive per article, so replaying the same signals always gives the same model,
and un-doing a signal (unrecommend, unstar) removes exactly what it added. Weights are
recomputed lazily, only for seen features, the first time they are asked for after a change.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from tuireader.recommend.features import DIMENSION, ArticleVector
from tuireader.recommend.types import SignalKind

#: How much one signal says about the reader's taste, and in which direction.
STRENGTH: dict[str, float] = {
    SignalKind.RECOMMEND: 3.0,
    SignalKind.STAR: 2.0,
    SignalKind.READ_LONG: 1.5,
    SignalKind.OPEN: 0.5,
    SignalKind.QUICK_LEAVE: -1.0,
    SignalKind.SKIP: -1.0,
    SignalKind.LESS_LIKE: -3.0,
}
#: Signals that withdraw an earlier one.
CANCELS: dict[str, str] = {
    SignalKind.UNRECOMMEND: SignalKind.RECOMMEND,
    SignalKind.UNSTAR: SignalKind.STAR,
}
#: Signals that say the reader went to the article's feed (for the feed-affinity prior).
ENGAGED = frozenset({SignalKind.RECOMMEND, SignalKind.STAR, SignalKind.READ_LONG, SignalKind.OPEN})
#: Past-tense verbs for explanations, strongest first.
VERBS: tuple[tuple[str, str], ...] = (
    (SignalKind.RECOMMEND, "recommended"),
    (SignalKind.STAR, "starred"),
    (SignalKind.READ_LONG, "read"),
    (SignalKind.OPEN, "opened"),
)
#: Pseudo-count pulling a rarely seen feature's like rate towards the base rate.
SMOOTHING = 1.0
#: Score added to every article of a muted feed: below anything the reader may like.
MUTED_PENALTY = -100.0


@dataclass(slots=True)
class ArticleEvidence:
    """What the reader did to one article, and the net evidence currently counted for it."""

    feed_id: int
    features: frozenset[int]
    kinds: set[str] = field(default_factory=set)
    net: float = 0.0
    engaged: bool = False

    def strongest_verb(self) -> str | None:
        for kind, verb in VERBS:
            if kind in self.kinds:
                return verb
        return None


class PreferenceModel:
    def __init__(self) -> None:
        self._articles: dict[int, ArticleEvidence] = {}
        self._liked: dict[int, float] = {}
        self._disliked: dict[int, float] = {}
        self._liked_total = 0.0
        self._disliked_total = 0.0
        self._feed_engagement: Counter[int] = Counter()
        self._muted_feeds: set[int] = set()
        self._weights: list[float] = [0.0] * DIMENSION
        self._nonzero: list[int] = []
        self._weights_stale = False
        #: liked_articles_with() answers, per feature, until the evidence changes.
        self._supporters: dict[int, list[ArticleEvidence]] = {}

    # --- learning -----------------------------------------------------------------------

    def observe(self, kind: str, vector: ArticleVector) -> None:
        """Count one signal on ``vector``'s article. Unknown kinds are ignored."""
        if kind == SignalKind.MUTE_FEED:
            self._muted_feeds.add(vector.feed_id)
            return
        if kind not in STRENGTH and kind not in CANCELS:
            return
        self._supporters.clear()
        evidence = self._articles.get(vector.id)
        if evidence is None:
            evidence = ArticleEvidence(vector.feed_id, frozenset(vector.features))
            self._articles[vector.id] = evidence
        if kind in CANCELS:
            evidence.kinds.discard(CANCELS[kind])
        else:
            evidence.kinds.add(kind)
        self._recount(evidence)
        if not evidence.kinds:
            del self._articles[vector.id]

    def _recount(self, evidence: ArticleEvidence) -> None:
        net = sum(STRENGTH[kind] for kind in evidence.kinds)
        if net != evidence.net:
            self._add_evidence(evidence.features, evidence.net, -1.0)
            self._add_evidence(evidence.features, net, 1.0)
            evidence.net = net
            self._weights_stale = True
        engaged = bool(evidence.kinds & ENGAGED)
        if engaged != evidence.engaged:
            self._feed_engagement[evidence.feed_id] += 1 if engaged else -1
            if self._feed_engagement[evidence.feed_id] <= 0:
                del self._feed_engagement[evidence.feed_id]
            evidence.engaged = engaged

    def _add_evidence(self, features: frozenset[int], net: float, sign: float) -> None:
        if net == 0.0:
            return
        counts = self._liked if net > 0 else self._disliked
        mass = abs(net) * sign
        if net > 0:
            self._liked_total += mass
        else:
            self._disliked_total += mass
        for feature in features:
            total = counts.get(feature, 0.0) + mass
            if abs(total) < 1e-9:
                counts.pop(feature, None)
            else:
                counts[feature] = total

    # --- what ranking reads -------------------------------------------------------------

    @property
    def signal_count(self) -> int:
        """How many articles carry evidence."""
        return len(self._articles)

    @property
    def has_taste(self) -> bool:
        """True once some article carries non-zero evidence (else: cold start)."""
        return bool(self._liked or self._disliked)

    def weights(self) -> list[float]:
        """The weight table indexed by feature (read-only for callers)."""
        if self._weights_stale:
            self._recompute_weights()
        return self._weights

    def _recompute_weights(self) -> None:
        table = self._weights
        for feature in self._nonzero:
            table[feature] = 0.0
        base_rate = (self._liked_total + 1.0) / (self._liked_total + self._disliked_total + 2.0)
        base_logit = math.log(base_rate / (1.0 - base_rate))
        prior = SMOOTHING * base_rate
        liked, disliked = self._liked, self._disliked
        nonzero = list(liked.keys() | disliked.keys())
        for feature in nonzero:
            pos = liked.get(feature, 0.0)
            neg = disliked.get(feature, 0.0)
            like_rate = (pos + prior) / (pos + neg + SMOOTHING)
            table[feature] = math.log(like_rate / (1.0 - like_rate)) - base_logit
        self._nonzero = nonzero
        self._weights_stale = False

    def feed_scores(self) -> dict[int, float]:
        """Feed-affinity prior in [0, 1] (log of articles engaged with, scaled to the top
        feed), and the penalty for muted feeds."""
        scores: dict[int, float] = {}
        if self._feed_engagement:
            top = math.log1p(max(self._feed_engagement.values()))
            for feed_id, count in self._feed_engagement.items():
                scores[feed_id] = math.log1p(count) / top
        for feed_id in self._muted_feeds:
            scores[feed_id] = MUTED_PENALTY
        return scores

    def is_muted(self, feed_id: int) -> bool:
        return feed_id in self._muted_feeds

    def most_engaged_feed(self) -> int | None:
        if not self._feed_engagement:
            return None
        return max(self._feed_engagement.items(), key=lambda item: (item[1], -item[0]))[0]

    def liked_articles_with(self, feature: int) -> list[ArticleEvidence]:
        """Articles with positive evidence that have ``feature`` (for explanations).

        A scan of every article with evidence; remembered per feature, because one ranking
        explains many articles with the same few features.
        """
        found = self._supporters.get(feature)
        if found is None:
            found = [e for e in self._articles.values() if e.net > 0 and feature in e.features]
            self._supporters[feature] = found
        return found

    # --- persistence --------------------------------------------------------------------

    def export(self) -> dict[str, object]:
        return {
            "articles": [
                [article_id, e.feed_id, sorted(e.kinds), sorted(e.features)]
                for article_id, e in sorted(self._articles.items())
            ],
            "muted_feeds": sorted(self._muted_feeds),
        }

    @classmethod
    def restore(cls, data: dict[str, object]) -> PreferenceModel:
        model = cls()
        articles = data["articles"]
        muted = data["muted_feeds"]
        if not isinstance(articles, list) or not isinstance(muted, list):
            raise ValueError("malformed recommender state")
        for article_id, feed_id, kinds, features in articles:
            vector = ArticleVector(int(article_id), int(feed_id), tuple(features), 0.0, None)
            evidence = ArticleEvidence(vector.feed_id, frozenset(vector.features))
            evidence.kinds.update(str(kind) for kind in kinds if kind in STRENGTH)
            model._articles[vector.id] = evidence
            model._recount(evidence)
        model._muted_feeds.update(int(feed_id) for feed_id in muted)
        return model
