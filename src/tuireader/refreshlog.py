"""The history row of a running refresh, kept current as feeds complete.

A refresh killed with kill -9 never reaches its end, so logging it only at the end lost
it, and the bytes it downloaded went uncounted in the data budget. The row is written on
the first outcome and then follows the running totals. The writes happen on a thread of
their own, never on the refresh's event loop, and coalesce: however many feeds complete
while one write is queued, the next write carries all of them. Writes are at least
``WRITE_INTERVAL`` apart (the first is at once), so a refresh of hundreds of quick feeds is
not a transaction per feed; after a kill -9 the row lags the truth by at most that much.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from tuireader.models import FullText, OutcomeKind, RefreshOutcome
from tuireader.store import RefreshKind, Store

#: Seconds between two writes of the running totals.
WRITE_INTERVAL = 0.25


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
        self._last_write = float("-inf")
        self._finishing = threading.Event()
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tuireader-log")

    def add(self, outcome: RefreshOutcome) -> None:
        """Count one feed's outcome (call it on the refresh's loop; it never blocks)."""
        self._count(
            updated=outcome.kind is OutcomeKind.UPDATED,
            # Only a 304 saved the download (stats counts them so); the same bytes again did not.
            not_modified=outcome.kind is OutcomeKind.NOT_MODIFIED and not outcome.same_body,
            failed=outcome.kind is OutcomeKind.FAILED,
            new_articles=outcome.new_articles,
            bytes_downloaded=outcome.bytes_downloaded,
        )

    def add_page(self, page: FullText) -> None:
        """Count one prefetched page: ``feeds`` counts pages tried, ``updated`` pages saved."""
        saved = bool(page.markdown)
        self._count(updated=saved, failed=not saved, bytes_downloaded=page.bytes_downloaded)

    def add_images(self, fetched: int, refused: int, bytes_downloaded: int) -> None:
        """Count images fetched to read an article: each tried is a download, as a page is."""
        if fetched or refused or bytes_downloaded:
            self._count(
                tried=fetched + refused,
                updated=fetched,
                failed=refused,
                bytes_downloaded=bytes_downloaded,
            )

    def _count(
        self,
        *,
        tried: int = 1,
        updated: bool | int = False,
        not_modified: bool = False,
        failed: bool | int = False,
        new_articles: int = 0,
        bytes_downloaded: int = 0,
    ) -> None:
        with self._lock:
            self.feeds += tried
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
        self._finishing.set()  # a write waiting for its interval goes now
        try:
            if self.feeds:
                self._writer.submit(self._write, finished_at).result()
        finally:
            self._writer.shutdown(wait=True)

    def _write(self, finished_at: datetime | None) -> None:
        if finished_at is None and not self._finishing.is_set():
            self._finishing.wait(self._last_write + WRITE_INTERVAL - time.monotonic())
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
        self._last_write = time.monotonic()
