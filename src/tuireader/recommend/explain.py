"""Say in a few plain words why an article was recommended, and check that a reason is one.

A reason names something a person would recognise and that the suggestion really has: a
phrase shared by at least two articles the reader liked, a category or author they liked
twice or more, or the feed. A lone word never counts (it is "never", "owen", "tank" as often
as a topic), nor a phrase with a stopword. When nothing learned is strong enough, the reason
is the plain one: the feed, and whether the reader often reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tuireader.recommend.features import STOPWORDS, content_words, feature_names, words
from tuireader.recommend.model import PreferenceModel
from tuireader.recommend.types import ArticleFeatures
from tuireader.sanitize import clean_line

#: A learned feature weaker than this (in score units) is not worth naming.
WEAK_CONTRIBUTION = 0.04
#: How many liked articles must share a phrase, category or author for it to be a reason.
MIN_SUPPORT = 2
_LIKED = r", like (?P<n>\d+) articles you liked$"
_PHRASE = re.compile(r"^about (?P<what>.+)" + _LIKED)
_CATEGORY = re.compile(r"^in (?P<what>.+)" + _LIKED)
_AUTHOR = re.compile(r"^by (?P<what>.+)" + _LIKED)
_FEED = re.compile(r"^(?:new )?from (?P<what>.+?)(?:, a feed you (?:often read|muted))?$")


def feed_name(article: ArticleFeatures) -> str:
    return clean_line(article.feed_title) or "a feed"


def explain(
    article: ArticleFeatures,
    content_scale: float,
    model: PreferenceModel,
    weights: Mapping[int, float],
) -> str:
    """The reason for ``article``; ``content_scale`` turns a feature weight into score."""
    feed = feed_name(article)
    if model.is_muted(article.feed_id):
        return f"from {feed}, a feed you muted"
    best: tuple[float, str] | None = None
    for index, name in feature_names(article).items():
        prefix, _, value = name.partition(":")
        if prefix not in ("b", "cat", "author"):
            continue
        support = model.support(index)
        contribution = weights.get(index, 0.0) * content_scale
        if support < MIN_SUPPORT or contribution < WEAK_CONTRIBUTION:
            continue
        if best is not None and contribution <= best[0]:
            continue
        text = _reason_text(article, prefix, value, support)
        if text is not None:
            best = (contribution, text)
    if best is not None:
        return best[1]
    if model.engaged_with(article.feed_id):
        return f"from {feed}, a feed you often read"
    return f"new from {feed}"


def _reason_text(article: ArticleFeatures, prefix: str, value: str, support: int) -> str | None:
    liked = f", like {support} articles you liked"
    if prefix == "b":
        if not is_phrase(value) or not _says(article, value):
            return None
        return f"about {value}{liked}"
    if prefix == "cat":
        shown = next((c for c in article.categories if c.strip().lower() == value), None)
        return f"in {clean_line(shown)}{liked}" if shown and clean_line(shown) else None
    author = clean_line(article.author or "")
    return f"by {author}{liked}" if author else None


def is_phrase(text: str) -> bool:
    """Two or more words, none a stopword, number, single letter or repeat."""
    parts = text.split()
    return (
        len(parts) >= 2
        and len(set(parts)) == len(parts)
        and all(len(w) > 2 and w not in STOPWORDS and not w.isdigit() for w in parts)
    )


#: Where a phrase cannot run on: "after the storm. National parks" says no "storm national".
_CLAUSE_END = re.compile(r"[.!?;:,()\[\]{}\"“”«»|/–—…]+|\s-\s")


def _says(article: ArticleFeatures, phrase: str) -> bool:
    """True when the phrase's words stand next to each other in one clause of the title or
    text (the features pair words across punctuation too; a reason must read as a phrase)."""
    needle = f" {phrase} "
    return any(
        needle in f" {' '.join(words(clause))} "
        for text in (article.title, article.text)
        for clause in _CLAUSE_END.split(text)
    )


def _shares(article: ArticleFeatures, phrase: str) -> bool:
    """The phrase as the features see it: adjacent once stopwords are dropped."""
    needle = f" {phrase} "
    return any(
        needle in f" {' '.join(content_words(text))} " for text in (article.title, article.text)
    )


def reason_passes(why: str, article: ArticleFeatures, liked: Sequence[ArticleFeatures]) -> bool:
    """Whether ``why`` is a reason a person would write for ``article`` (see module doc).

    ``liked`` are the articles the reader reacted to positively. Shared by the bench and
    the tests, so the figure they print and the rule they check are one rule.
    """
    if match := _PHRASE.match(why):
        phrase = match["what"]
        return (
            is_phrase(phrase)
            and _says(article, phrase)
            and sum(_shares(other, phrase) for other in liked) >= MIN_SUPPORT
        )
    if match := _CATEGORY.match(why):
        wanted = match["what"].strip().lower()

        def has(a: ArticleFeatures) -> bool:
            return wanted in (c.strip().lower() for c in a.categories)

        return has(article) and sum(has(other) for other in liked) >= MIN_SUPPORT
    if match := _AUTHOR.match(why):
        wanted = match["what"].strip().lower()

        def by(a: ArticleFeatures) -> bool:
            return (a.author or "").strip().lower() == wanted

        return by(article) and sum(by(other) for other in liked) >= MIN_SUPPORT
    if match := _FEED.match(why):
        return match["what"] == feed_name(article)
    return False
