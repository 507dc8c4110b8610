"""The history row of a running refresh, kept current as feeds complete.

A refresh killed with kill -9 never reaches its end, so logging it only at the end lost
it, and the bytes it downloaded went uncounted in the data budget. The row is written on
the first outcome and then follows the running totals. The writes happen on a thread of
their own, never on the refresh's event loop, and coalesce: however many feeds complete
while one write is queued, the next write carries all of them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from tuireader.models import FullText, OutcomeKind, RefreshOutcome
from tuireader.store import RefreshKind, Store


class RefreshLog:
    """Running totals of one refresh (or prefetch), mirrored into its ``refreshes`` row."""

    def __init__(self, store: Store, started_at: datetime, kind: RefreshKind = "feeds") -> None:
        self.store = store
        self.started_at = started_at
        self.kind: RefreshKind = kind
        self.feeds = self.updated = self.not_modified = self.failed = 0
        self.new_articles = self.bytes_downloaded = 0
        self._id: int | None = None
        self._queued = False
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tuireader-log")

    def add(self, outcome: RefreshOutcome) -> None:
        """Count one feed's outcome (call it on the refresh's loop; it never blocks)."""
        self._count(
            updated=outcome.kind is OutcomeKind.UPDATED,
            not_modified=outcome.kind is OutcomeKind.NOT_MODIFIED,
            failed=outcome.kind is OutcomeKind.FAILED,
            new_articles=outcome.new_articles,
            bytes_downloaded=outcome.bytes_downloaded,
        )

    def add_page(self, page: FullText) -> None:
        """Count one prefetched page: ``feeds`` counts pages tried, ``updated`` pages saved."""
        saved = bool(page.markdown)
        self._count(updated=saved, failed=not saved, bytes_downloaded=page.bytes_downloaded)

    def _count(
        self,
        *,
        updated: bool = False,
        not_modified: bool = False,
        failed: bool = False,
        new_articles: int = 0,
        bytes_downloaded: int = 0,
    ) -> None:
        with self._lock:
            self.feeds += 1
            self.updated += updated
            self.not_modified += not_modified
            self.failed += failed
            self.new_articles += new_articles
            self.bytes_downloaded += bytes_downloaded
            if self._queued:
                return
            self._queued = True
        self._writer.submit(self._write, None)

    def finish(self, finished_at: datetime | None) -> None:
        """Write the final totals (``finished_at`` None: it was interrupted) and wait."""
        try:
            if self.feeds:
                self._writer.submit(self._write, finished_at).result()
        finally:
            self._writer.shutdown(wait=True)

    def _write(self, finished_at: datetime | None) -> None:
        with self._lock:
            self._queued = False
            totals = {
                "feeds": self.feeds,
                "updated": self.updated,
                "not_modified": self.not_modified,
                "failed": self.failed,
                "new_articles": self.new_articles,
                "bytes_downloaded": self.bytes_downloaded,
            }
        if self._id is None:
            self._id = self.store.start_refresh(self.started_at, self.kind)
        self.store.update_refresh(self._id, finished_at=finished_at, **totals)
