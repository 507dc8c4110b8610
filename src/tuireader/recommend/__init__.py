"""The "For you" recommender: a pure model over plain values (no store, no UI).

The store feeds it signals and article features; it ranks unread articles, says why, and
groups the same story from several feeds.
"""

from tuireader.recommend.recommender import Recommender
from tuireader.recommend.types import ArticleFeatures, Recommendation, Signal, SignalKind

__all__ = ["ArticleFeatures", "Recommendation", "Recommender", "Signal", "SignalKind"]
