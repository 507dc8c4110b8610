"""Refreshing feeds: download, parse and store, overlapped, each feed an outcome value.

Downloads run concurrently on the event loop (the fetcher bounds them); parsing, which is
CPU-bound, runs in worker processes so both cores work while downloads continue; each
feed is stored in its own transaction in a thread, so the loop never waits on SQLite and
an interrupted refresh keeps every feed already written.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

from tuireader.fetch import Fetcher, FetchResult, FetchStatus
from tuireader.models import FeedError, OutcomeKind, ParsedFeed, RefreshOutcome, RefreshSummary
from tuireader.parse import body_fingerprint, parse_feed
from tuireader.store import FetchState, Store, StoreError

#: Below this many feeds, parsing in a thread beats starting worker processes.
PROCESS_POOL_THRESHOLD = 8

OutcomeCallback = Callable[[RefreshOutcome], None]


def make_parse_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """Worker processes for parsing, forked from a clean server rather than from us.

    Forking a process that runs threads (the TUI does) can deadlock the child; the
    forkserver starts children from a small process that has imported only the parser.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tuireader.parse"])
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 2, mp_context=context)


def _parse(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    return parse_feed(body, url=url, content_type=content_type)


class Refresher:
    """Refreshes a set of feeds into a store, reporting each outcome as it happens."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        parse_pool: Executor | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.parse_pool = parse_pool
        self.cancel = cancel or threading.Event()

    async def run(
        self, states: Sequence[FetchState], on_outcome: OutcomeCallback | None = None
    ) -> RefreshSummary:
        outcomes: list[RefreshOutcome] = []

        async def one(state: FetchState) -> None:
            outcome = await self.refresh_one(state)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

        await asyncio.gather(*(one(state) for state in states))
        return RefreshSummary(tuple(outcomes))

    async def refresh_one(self, state: FetchState) -> RefreshOutcome:
        if self.cancel.is_set():
            return RefreshOutcome(state.feed_id, state.url, OutcomeKind.SKIPPED, reason="cancelled")
        result = await self.fetcher.fetch(
            state.url, etag=state.etag, last_modified=state.last_modified
        )
        try:
            return await self._handle(state, result)
        except StoreError as error:
            return self._failed(state, str(error), result.bytes_downloaded)

    async def _handle(self, state: FetchState, result: FetchResult) -> RefreshOutcome:
        store = self.store
        wire = result.bytes_downloaded
        if result.status is FetchStatus.NOT_MODIFIED:
            await asyncio.to_thread(store.record_not_modified, state.feed_id, bytes_downloaded=wire)
            return RefreshOutcome(
                state.feed_id, state.url, OutcomeKind.NOT_MODIFIED, bytes_downloaded=wire
            )
        if result.status is not FetchStatus.OK:
            reason = result.reason or "failed"
            await asyncio.to_thread(
                store.record_failure,
                state.feed_id,
                reason,
                bytes_downloaded=wire,
                retry_after=result.retry_after,
                gone=result.status is FetchStatus.GONE,
            )
            return self._failed(state, reason, wire)
        url = state.url
        moved = result.permanent_url
        if (
            moved
            and moved != state.url
            and await asyncio.to_thread(store.move_feed_url, state.feed_id, moved)
        ):
            url = moved
        fingerprint = body_fingerprint(result.body)
        if fingerprint == state.body_hash:
            # Same bytes as last time (a server without validators): no parse, no writes.
            await asyncio.to_thread(
                store.record_not_modified,
                state.feed_id,
                bytes_downloaded=wire,
                etag=result.etag,
                last_modified=result.last_modified,
            )
            return RefreshOutcome(
                state.feed_id, url, OutcomeKind.NOT_MODIFIED, bytes_downloaded=wire
            )
        try:
            parsed = await self._parse(result.body, result.final_url, result.content_type)
        except FeedError as error:
            await asyncio.to_thread(
                store.record_failure, state.feed_id, str(error), bytes_downloaded=wire
            )
            return self._failed(state, str(error), wire)
        stored = await asyncio.to_thread(
            store.store_feed,
            state.feed_id,
            parsed,
            body_hash=fingerprint,
            etag=result.etag,
            last_modified=result.last_modified,
            bytes_downloaded=wire,
        )
        return RefreshOutcome(
            state.feed_id,
            url,
            OutcomeKind.UPDATED,
            new_articles=stored.new,
            updated_articles=stored.updated,
            bytes_downloaded=wire,
        )

    async def _parse(self, body: bytes, url: str, content_type: str | None) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.parse_pool, _parse, body, url, content_type)
        except FeedError:
            raise
        except Exception as error:  # a crashed worker or a parser bug: this feed fails alone
            raise FeedError(
                f"could not parse the feed ({type(error).__name__}: {error})"
            ) from error

    @staticmethod
    def _failed(state: FetchState, reason: str, wire: int) -> RefreshOutcome:
        return RefreshOutcome(
            state.feed_id, state.url, OutcomeKind.FAILED, bytes_downloaded=wire, reason=reason
        )
