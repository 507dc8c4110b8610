"""The SQLite store: one file, WAL, versioned migrations, split by domain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tuireader.store.articles import (
    ArticleQuery,
    ArticlesMixin,
    FeedUpdate,
    Sort,
    StoreResult,
    dedup_key,
)
from tuireader.store.base import utc_now
from tuireader.store.db import (
    BUSY_TIMEOUT_SECONDS,
    Database,
    StoreError,
    StoreFullError,
    StoreReadOnlyError,
)
from tuireader.store.enclosures import EnclosuresMixin, EnclosureState
from tuireader.store.feeds import FeedExistsError, FeedsMixin, FetchState, NoSuchFeedError
from tuireader.store.fulltext import FullTextMixin
from tuireader.store.history import HistoryMixin, RefreshKind, RefreshRecord
from tuireader.store.images import ImagesMixin, StoredImage
from tuireader.store.querying import QueryMixin
from tuireader.store.recent import RecentMixin
from tuireader.store.recommend_state import RecommendState, RecommendStateMixin
from tuireader.store.retention import CleanupResult, RetentionMixin
from tuireader.store.rules import RuleOutcome, RulesMixin
from tuireader.store.saved import (
    NoSuchSavedSearchError,
    SavedSearch,
    SavedSearchesMixin,
    SavedSearchExistsError,
)
from tuireader.store.search import SearchMixin, fts_query
from tuireader.store.signals import SignalsMixin
from tuireader.store.state import EVENT_KINDS, Event, StateMixin
from tuireader.store.stats import StatsMixin
from tuireader.store.sync import FeedChanges, SyncMixin
from tuireader.store.tags import TagCount, TagsMixin

__all__ = [
    "EVENT_KINDS",
    "ArticleQuery",
    "CleanupResult",
    "EnclosureState",
    "Event",
    "FeedChanges",
    "FeedExistsError",
    "FeedUpdate",
    "FetchState",
    "NoSuchFeedError",
    "NoSuchSavedSearchError",
    "RefreshKind",
    "RecommendState",
    "RefreshRecord",
    "SavedSearch",
    "SavedSearchExistsError",
    "RuleOutcome",
    "Sort",
    "Store",
    "StoredImage",
    "StoreError",
    "StoreFullError",
    "StoreReadOnlyError",
    "StoreResult",
    "TagCount",
    "dedup_key",
    "fts_query",
]


class Store(
    QueryMixin,
    RulesMixin,
    TagsMixin,
    FeedsMixin,
    ArticlesMixin,
    StateMixin,
    SearchMixin,
    FullTextMixin,
    SignalsMixin,
    RecommendStateMixin,
    RetentionMixin,
    HistoryMixin,
    SavedSearchesMixin,
    EnclosuresMixin,
    RecentMixin,
    StatsMixin,
    ImagesMixin,
    SyncMixin,
):
    """Everything tuireader keeps, behind one object. Safe to share between threads.

    Several processes may open the same file: each write is one ``BEGIN IMMEDIATE``
    transaction that waits at most ``busy_timeout`` seconds for another writer, then
    fails with a one-line :class:`StoreError`.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        clock: Callable[[], datetime] = utc_now,
        busy_timeout: float = BUSY_TIMEOUT_SECONDS,
    ) -> None:
        self.db = Database(path, read_only=read_only, busy_timeout=busy_timeout)
        self.clock = clock

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def read_only(self) -> bool:
        return self.db.read_only

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when another connection commits."""
        with self.db.read() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
