"""Value types shared by the core: what a parser returns, what the store hands out.

Every type here is a frozen dataclass: the core passes values around, never live rows.
Datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A podcast episode or other attached file."""

    url: str
    type: str | None = None
    length: int | None = None
    #: Seconds, as the feed gives it (``itunes:duration``, JSON Feed's ``duration_in_seconds``).
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One item of a feed as the parser read it, with display text already sanitised.

    ``summary_html`` and ``content_html`` are untrusted HTML: they are converted to
    Markdown (and cleaned) only when an article is shown, to keep refresh fast.
    """

    title: str
    guid: str | None = None
    link: str | None = None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    summary_html: str | None = None
    content_html: str | None = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    #: Plain text of the body for the search index, made in the parse worker so the
    #: store does not spend its (serial) time on it; None means "compute it when storing".
    search_text: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed document, parsed."""

    title: str | None
    site_url: str | None = None
    description: str | None = None
    format: str = ""
    entries: tuple[ParsedEntry, ...] = ()
    #: Non-fatal problems the parser met (bozo exceptions); the good parts are kept.
    warnings: tuple[str, ...] = ()


class FeedError(Exception):
    """A feed could not be fetched or parsed; the message is shown to users as is."""


class FullTextMode(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    title: str
    folder: str | None = None
    site_url: str | None = None
    unread: int = 0
    total: int = 0
    last_error: str | None = None
    consecutive_failures: int = 0
    last_fetched: datetime | None = None
    next_fetch_after: datetime | None = None
    gone: bool = False
    muted: bool = False
    full_text: FullTextMode = FullTextMode.AUTO
    refresh_interval: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What a list row needs: no bodies, so a page of them is cheap."""

    id: int
    feed_id: int
    feed_title: str
    title: str
    link: str | None
    author: str | None
    published: datetime | None
    read: bool
    starred: bool
    recommended: bool
    sort_key: str = ""
    #: Podcast episodes and other attachments (most articles have none).
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """A whole article: everything in the store about it."""

    id: int
    feed_id: int
    feed_title: str
    title: str
    link: str | None
    guid: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    summary_html: str | None
    content_html: str | None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    read: bool = False
    starred: bool = False
    recommended: bool = False
    recommend_count: int = 0
    first_seen: datetime | None = None
    read_at: datetime | None = None
    starred_at: datetime | None = None
    recommended_at: datetime | None = None


class OutcomeKind(StrEnum):
    UPDATED = "updated"
    NOT_MODIFIED = "not modified"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """What happened to one feed in a refresh: a value, never an exception."""

    feed_id: int
    url: str
    kind: OutcomeKind
    new_articles: int = 0
    updated_articles: int = 0
    bytes_downloaded: int = 0
    reason: str | None = None
    #: NOT_MODIFIED because the server sent the same bytes again (it has no validators),
    #: not a 304: unchanged, but the whole feed was downloaded.
    same_body: bool = False


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    outcomes: tuple[RefreshOutcome, ...] = field(default_factory=tuple)

    def count(self, kind: OutcomeKind) -> int:
        return sum(1 for o in self.outcomes if o.kind is kind)

    @property
    def new_articles(self) -> int:
        return sum(o.new_articles for o in self.outcomes)

    @property
    def bytes_downloaded(self) -> int:
        return sum(o.bytes_downloaded for o in self.outcomes)

    @property
    def all_failed(self) -> bool:
        return bool(self.outcomes) and all(o.kind is OutcomeKind.FAILED for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class FullText:
    """An article's web page, extracted and kept for offline reading.

    ``markdown`` is None when the page was fetched but held no article (``error`` says
    why); the reader then falls back to the feed's text.
    """

    article_id: int
    url: str
    fetched_at: datetime
    markdown: str | None
    title: str | None = None
    standfirst: str | None = None
    author: str | None = None
    published: datetime | None = None
    etag: str | None = None
    bytes_downloaded: int = 0
    error: str | None = None
