"""Hashed sparse features of an article: words, word pairs, feed, author, categories.

Features are named strings ("w:cable", "b:fibre-optic cable", "feed:3") hashed with CRC-32
(all 32 bits: collisions are rare enough that "shared by two liked articles" stays true),
stable across processes, so a persisted model and persisted vectors stay valid. Only the
first words of the teaser text are used: they carry the topic, and a bounded feature count
keeps ranking 100,000 articles cheap.
"""

from __future__ import annotations

import re
import zlib

from tuireader.recommend.types import ArticleFeatures

MAX_TEXT_WORDS = 40

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my new no nor not now of off on once only or other our ours out over own
    same says said she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours one two three first last get got like make
    makes made may might must new news via vs never ever always also yet still even just
    much many less least lot lots every another anything something nothing everything thing
    things way ways well back going gone goes go come came comes take took taken give gave
    know knew think thought see saw seen look looks looking want wants use used using good
    great big little old long high right left part year years day days week weeks month
    months today yesterday tomorrow time times people man men woman women world life work
    say tell told ask asked put set show shows need needs keep let best better really since
    around across along among within without upon whether though although however according
    per s t re ve ll d m don didn doesn isn aren wasn weren won can't don't it's i'm
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words(text: str) -> list[str]:
    """Lower-cased words, hyphenated words kept whole."""
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Words that can carry a topic: no stopwords, no bare numbers, no single letters."""
    return [w for w in words(text) if len(w) > 1 and w not in STOPWORDS and not w.isdigit()]


def feature_index(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def feature_names(article: ArticleFeatures) -> dict[int, str]:
    """Every feature of ``article`` by index, with its readable name (for explanations)."""
    names: dict[int, str] = {}
    for sequence in (
        content_words(article.title),
        content_words(article.text)[:MAX_TEXT_WORDS],
    ):
        for word in sequence:
            names.setdefault(feature_index("w:" + word), "w:" + word)
        for first, second in zip(sequence, sequence[1:], strict=False):
            pair = f"b:{first} {second}"
            names.setdefault(feature_index(pair), pair)
    meta = [f"feed:{article.feed_id}"]
    if article.author:
        meta.append("author:" + article.author.strip().lower())
    meta.extend("cat:" + c.strip().lower() for c in article.categories if c.strip())
    for name in meta:
        names.setdefault(feature_index(name), name)
    return names
