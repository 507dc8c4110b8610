"""Plain values the recommender takes and gives: no store rows, no UI types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SignalKind(StrEnum):
    """What the reader did to an article, as the store records it."""

    RECOMMEND = "recommend"
    UNRECOMMEND = "unrecommend"
    STAR = "star"
    UNSTAR = "unstar"
    OPEN = "open"
    READ_LONG = "read_long"
    QUICK_LEAVE = "quick_leave"
    SKIP = "skip"
    LESS_LIKE = "less_like"
    MUTE_FEED = "mute_feed"


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """What the recommender needs to know about one article (text already plain)."""

    id: int
    feed_id: int
    feed_title: str
    title: str
    author: str | None
    categories: tuple[str, ...]
    text: str
    link: str | None
    published: datetime | None
    #: When the store first saw it: the date of an undated entry, for freshness.
    first_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    article_id: int
    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One "For you" row; ``duplicates`` are the same story from other feeds."""

    article_id: int
    score: float
    why: str
    duplicates: tuple[int, ...] = ()
