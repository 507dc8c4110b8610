"""Say in a few plain words why an article was recommended, from what actually scored it."""

from __future__ import annotations

from dataclasses import dataclass

from tuireader.recommend.features import feature_names
from tuireader.recommend.model import PreferenceModel
from tuireader.recommend.types import ArticleFeatures
from tuireader.sanitize import clean_line

#: A word pair names the topic better than a single word unless it scored much less.
_PAIR_PREFERENCE = 0.6
_GROUP_OF_PREFIX = {
    "w": "terms",
    "b": "terms",
    "author": "author",
    "cat": "category",
    "feed": "feed",
}


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """The parts of one article's score that are not per-feature."""

    content_scale: float
    feed: float
    freshness: float


def explain(
    article: ArticleFeatures, parts: ScoreParts, model: PreferenceModel, weights: list[float]
) -> str:
    feed_title = clean_line(article.feed_title) or "a feed"
    if model.is_muted(article.feed_id):
        return f"from {feed_title}, a feed you muted"
    totals = {"terms": 0.0, "author": 0.0, "category": 0.0, "feed": parts.feed, "fresh": 0.0}
    totals["fresh"] = parts.freshness
    best: dict[str, tuple[float, int, str]] = {}
    for index, name in feature_names(article).items():
        contribution = weights[index] * parts.content_scale
        if contribution <= 0.0:
            continue
        prefix = name.split(":", 1)[0]
        group = _GROUP_OF_PREFIX[prefix]
        totals[group] += contribution
        key = "pair" if prefix == "b" else group
        if key not in best or contribution > best[key][0]:
            best[key] = (contribution, index, name)
    reason, value = max(totals.items(), key=lambda item: item[1])
    if value <= 0.0:
        return f"from {feed_title}"
    if reason == "terms":
        term = best.get("terms")
        pair = best.get("pair")
        if pair is not None and (term is None or pair[0] >= _PAIR_PREFERENCE * term[0]):
            term = pair
        assert term is not None
        return _like_phrase(model, term[1], "about " + term[2].split(":", 1)[1])
    if reason == "author" and article.author:
        return _like_phrase(
            model, best["author"][1], "by " + clean_line(article.author), topic_first=True
        )
    if reason == "category":
        wanted = best["category"][2].split(":", 1)[1]
        shown = next((c for c in article.categories if c.strip().lower() == wanted), wanted)
        return _like_phrase(model, best["category"][1], "in " + clean_line(shown), topic_first=True)
    if reason == "feed":
        if model.most_engaged_feed() == article.feed_id:
            return "from a feed you read most"
        return f"from {feed_title}, a feed you often read"
    return f"new from {feed_title}"


def _like_phrase(
    model: PreferenceModel, feature: int, topic: str, *, topic_first: bool = False
) -> str:
    """'like 3 articles you recommended about X', from the liked articles sharing the feature."""
    supporters = model.liked_articles_with(feature)
    if not supporters:
        return topic
    verbs = {verb for evidence in supporters if (verb := evidence.strongest_verb())}
    verb = verbs.pop() if len(verbs) == 1 else "liked"
    count = len(supporters)
    articles = "an article" if count == 1 else f"{count} articles"
    if topic_first:
        return f"{topic}, like {articles} you {verb}"
    return f"like {articles} you {verb} {topic}"
