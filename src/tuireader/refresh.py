"""Refreshing feeds: download, parse and store, overlapped, each feed an outcome value.

Downloads run concurrently on the event loop (the fetcher bounds them); parsing, which is
CPU-bound, runs in worker processes so both cores work while downloads continue; feeds
are stored by one writer thread, so the loop never waits on SQLite. Each feed is whole in
one transaction (a transaction may hold several feeds when they queue up for the writer),
so an interrupted refresh keeps every feed already written and no feed half-written.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import resource
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from tuireader.entryfacts import EntryFacts
from tuireader.fetch import Fetcher, FetchResult, FetchStatus
from tuireader.models import FeedError, OutcomeKind, ParsedFeed, RefreshOutcome, RefreshSummary
from tuireader.parsejob import body_fingerprint, parse_in_worker, unpack
from tuireader.store import FeedUpdate, FetchState, Store, StoreError, StoreResult
from tuireader.store.feeds import NotModified

if TYPE_CHECKING:
    # Imported where a pool is made (multiprocessing: ~10 ms): a refresh where every feed
    # answers 304 never parses, and its start-up is all wall time.
    from concurrent.futures import ProcessPoolExecutor

#: From this many feeds on, parsing runs in worker processes. It is 1: a hostile feed can make
#: the parser run for a long time or allocate without bound, and only a process can be
#: limited in memory and killed; the forkserver pool costs ~0.1 s once per refresh
#: (bench/hostile_bench.py), small beside the network round trips of even one feed.
PROCESS_POOL_THRESHOLD = 1
#: Seconds one parse may take before its feed fails and its worker is killed.
DEFAULT_PARSE_TIMEOUT = 30.0
#: Address space per worker. A normal parse peaks well under 100 MB (the fetcher caps a
#: body at 10 MB); past the limit, allocations fail as MemoryError and only that feed fails.
WORKER_MEMORY_LIMIT = 2**30
PARSE_TOO_LONG = "parsing took too long"
#: Feeds between download and store at once (bounds a refresh's memory: ~90 MB for the
#: main process at 64 in bench/refresh_bench.py). Room for a whole store group being
#: written, another filling up, and downloads and parses going on beside them.
PIPELINE_LIMIT = 64
#: Unchanged feeds whose bookkeeping is written in one transaction.
UNCHANGED_BATCH = 100
#: At most this many parsed feeds (and entries) queued for the writer go into one
#: transaction. Grouping only happens when feeds wait for the writer, so a lone feed is
#: still written at once; a group roughly halves the store's CPU (the search index flushes
#: and merges a segment per transaction). 32 feeds of 50 articles (~5 MB of text) fit the
#: index's 8 MB of pending terms (migration 9): against 16, the writer thread's CPU in a
#: cold refresh of 200x50 went from 1.25-1.61 to 1.14-1.24 s (3 runs alternated).
STORE_GROUP_FEEDS = 32
STORE_GROUP_ENTRIES = 4_000
#: While feeds are still being parsed, the writer waits at most this long for a group to
#: fill (a feed shows up in the library that much later; nothing is ever half-stored).
STORE_GATHER_SECONDS = 0.15

OutcomeCallback = Callable[[RefreshOutcome], None]
T = TypeVar("T")


def _address_space_limit(limit: int) -> tuple[int, int]:
    """(soft, hard) for RLIMIT_AS: ``limit``, never above an existing hard limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    return limit, hard


class ParsePool:
    """Worker processes that parse feeds, each parse bounded in memory and in time.

    Workers start from a forkserver rather than from us: forking a process that runs
    threads (the TUI does) can deadlock the child; the forkserver has imported only the
    parser. At most one parse per worker is in flight, so the timeout measures parsing, not
    queueing. A parse past the timeout fails its feed with "parsing took too long" and the
    pool is replaced: the standard pool cannot stop one worker, so all of its workers are
    terminated (none keeps burning CPU) and the parses that were running beside it are
    retried once on the new pool. A worker that dies (a crash in C code) is handled the same
    way: the pool is replaced and the feeds retried once.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        timeout: float = DEFAULT_PARSE_TIMEOUT,
        memory_limit: int = WORKER_MEMORY_LIMIT,
    ) -> None:
        self.workers = workers or os.cpu_count() or 2
        self.timeout = timeout
        self.memory_limit = memory_limit
        #: How many times the pool was replaced after a timeout or a dead worker.
        self.replacements = 0
        self._slots = asyncio.Semaphore(self.workers)
        # Made on the first parse: a refresh where every feed answers 304 never needs one,
        # and even an idle pool costs a helper process (multiprocessing's resource tracker).
        self._current: ProcessPoolExecutor | None = None
        self._started: ProcessPoolExecutor | None = None
        self._start_lock = threading.Lock()

    def start(self) -> None:
        """Start the worker processes now. Blocking: call it from a thread.

        Starting the forkserver and forking the workers takes ~0.1-0.2 s; done inline on
        the first parse it would stall the event loop, and every download, that long.
        """
        with self._start_lock:
            executor = self._executor
            if self._started is executor:
                return
            try:
                for future in [executor.submit(os.getpid) for _ in range(self.workers)]:
                    future.result(timeout=self.timeout)
            except Exception:  # the first real parse meets the same problem and handles it
                return
            self._started = executor

    @property
    def _executor(self) -> ProcessPoolExecutor:
        if self._current is None:
            self._current = self._new_executor()
        return self._current

    def _new_executor(self) -> ProcessPoolExecutor:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["tuireader.parse", "tuireader.parsejob"])
        # Worker and initializer come from modules the forkserver has already imported, so
        # a new worker is ready at once and nothing it runs counts against the timeout.
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=resource.setrlimit,
            initargs=(resource.RLIMIT_AS, _address_space_limit(self.memory_limit)),
        )

    async def parse(self, body: bytes, url: str, content_type: str | None) -> ParsedFeed:
        """Parse in a worker; raises FeedError (and only FeedError) when the feed is bad."""
        parsed, _facts = await self.parse_with_facts(body, url, content_type)
        return parsed

    async def parse_with_facts(
        self, body: bytes, url: str, content_type: str | None
    ) -> tuple[ParsedFeed, tuple[EntryFacts, ...]]:
        """:meth:`parse`, and the entries' facts the store needs (see parse_in_worker)."""
        from concurrent.futures.process import BrokenProcessPool

        async with self._slots:
            if self._started is None or self._started is not self._current:
                await asyncio.to_thread(self.start)
            for attempt in (1, 2):
                executor = self._executor
                try:
                    job = functools.partial(parse_in_worker, body, url, content_type)
                    future = executor.submit(job)
                    packed, facts = await asyncio.wait_for(
                        asyncio.wrap_future(future), self.timeout
                    )
                    return unpack(packed), facts
                except TimeoutError:
                    self._replace(executor)
                    raise FeedError(f"{PARSE_TOO_LONG} (over {self.timeout:g} s)") from None
                except (BrokenProcessPool, RuntimeError) as error:
                    # RuntimeError: submit() to a pool another feed's timeout just shut down.
                    if isinstance(error, RuntimeError) and executor is self._executor:
                        raise
                    self._replace(executor)
                    if attempt == 2:
                        raise FeedError("the parser crashed on this feed") from error
        raise AssertionError("unreachable")  # pragma: no cover

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers (for diagnostics and tests)."""
        return sorted(getattr(self._current, "_processes", None) or {})

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Terminate ``broken``'s workers and start a fresh pool (once per broken pool)."""
        if broken is not self._current:
            return
        self.replacements += 1
        self._current = self._new_executor()
        _terminate(broken)

    def shutdown(self, wait: bool = False, *, cancel_futures: bool = True) -> None:
        """Stop the workers; running parses are terminated, not waited for, unless ``wait``."""
        if self._current is None:
            return
        if not wait:
            _terminate(self._current)
        else:
            self._current.shutdown(wait=True, cancel_futures=cancel_futures)


def _terminate(executor: ProcessPoolExecutor) -> None:
    # Python 3.14 adds ProcessPoolExecutor.terminate_workers(); until then the worker
    # processes are only reachable through this private mapping (stable since 3.2).
    processes = dict(getattr(executor, "_processes", None) or {})
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(timeout=5)


def _settle(
    future: asyncio.Future[StoreResult],
    *,
    result: StoreResult | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():  # its feed's task was cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)


def make_parse_pool(
    workers: int | None = None,
    *,
    timeout: float = DEFAULT_PARSE_TIMEOUT,
    memory_limit: int = WORKER_MEMORY_LIMIT,
) -> ParsePool:
    """The refresh's parse workers; see :class:`ParsePool`."""
    return ParsePool(workers, timeout=timeout, memory_limit=memory_limit)


async def parse_isolated(
    body: bytes, *, url: str, content_type: str | None, timeout: float = DEFAULT_PARSE_TIMEOUT
) -> ParsedFeed:
    """Parse one document in a one-off worker (subscribing): bounded like a refresh's parses."""
    pool = ParsePool(1, timeout=timeout)
    try:
        return await pool.parse(body, url, content_type)
    finally:
        await asyncio.to_thread(pool.shutdown, True)


class Refresher:
    """Refreshes a set of feeds into a store, reporting each outcome as it happens."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        parse_pool: ParsePool | Executor | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.parse_pool = parse_pool
        self.cancel = cancel or threading.Event()
        self._unchanged: list[NotModified] = []
        # Downloads outrun parsing and storing; without a bound, bodies waiting for a
        # worker or the writer pile up (260 MB at 1,000 feeds). This caps feeds in flight.
        self._in_flight = asyncio.Semaphore(PIPELINE_LIMIT)
        # One thread does every store call of the refresh: calls queue here in order
        # instead of many pool threads contending for the store's lock (and the GIL).
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tuireader-store")
        self._to_store: list[tuple[FeedUpdate, asyncio.Future[StoreResult]]] = []
        self._storing: asyncio.Task[None] | None = None
        #: Downloaded feeds not yet queued for the writer (being parsed).
        self._parsing = 0
        self._queued = asyncio.Event()

    async def run(
        self, states: Sequence[FetchState], on_outcome: OutcomeCallback | None = None
    ) -> RefreshSummary:
        outcomes: list[RefreshOutcome] = []

        async def one(state: FetchState) -> None:
            outcome = await self.refresh_one(state)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

        try:
            await asyncio.gather(*(one(state) for state in states))
        finally:
            if self._storing is not None and not self._storing.done():
                self._storing.cancel()  # only when the gather was cancelled
                with contextlib.suppress(asyncio.CancelledError):
                    await self._storing
            await self._flush_unchanged()
            self._writer.shutdown(wait=False)
        return RefreshSummary(tuple(outcomes))

    async def _note_unchanged(
        self,
        feed_id: int,
        wire: int,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Queue an unchanged feed's bookkeeping; written in batches, not a transaction each.

        Losing a batch to a crash costs nothing: the validators it would refresh are the
        ones already stored, so the next refresh asks the same conditional questions.
        """
        self._unchanged.append((feed_id, wire, etag, last_modified))
        if len(self._unchanged) >= UNCHANGED_BATCH:
            await self._flush_unchanged()

    async def _in_writer(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._writer, functools.partial(function, *args, **kwargs)
        )

    async def store_parsed(self, update: FeedUpdate) -> StoreResult:
        """Queue a parsed feed for the writer; resolves when its transaction committed."""
        done: asyncio.Future[StoreResult] = asyncio.get_running_loop().create_future()
        self._to_store.append((update, done))
        self._queued.set()
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_queued())
        return await done

    async def _store_queued(self) -> None:
        """Write what is queued, a group per transaction, until the queue is empty."""
        loop = asyncio.get_running_loop()
        while self._to_store:
            deadline = loop.time() + STORE_GATHER_SECONDS
            while len(self._to_store) < STORE_GROUP_FEEDS and self._parsing > 0:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self._queued.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._queued.wait(), remaining)
            group: list[tuple[FeedUpdate, asyncio.Future[StoreResult]]] = []
            entries = 0
            while self._to_store and len(group) < STORE_GROUP_FEEDS:
                if group and entries + len(self._to_store[0][0].parsed.entries) > (
                    STORE_GROUP_ENTRIES
                ):
                    break
                group.append(self._to_store.pop(0))
                entries += len(group[-1][0].parsed.entries)
            await self._store_group(group)

    async def _store_group(
        self, group: list[tuple[FeedUpdate, asyncio.Future[StoreResult]]]
    ) -> None:
        try:
            results = await self._in_writer(self.store.store_feeds, [u for u, _ in group])
        except Exception as error:
            if len(group) == 1:
                _settle(group[0][1], error=error)
                return
            # One feed's failure must not fail the others: each alone, in its own transaction.
            for single in group:
                await self._store_group([single])
            return
        for (_, done), result in zip(group, results, strict=True):
            _settle(done, result=result)

    async def _flush_unchanged(self) -> None:
        batch, self._unchanged = self._unchanged, []
        if batch:
            await self._in_writer(self.store.record_not_modified_many, batch)

    async def refresh_one(self, state: FetchState) -> RefreshOutcome:
        async with self._in_flight:
            return await self._refresh_one(state)

    async def _refresh_one(self, state: FetchState) -> RefreshOutcome:
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
            await self._note_unchanged(state.feed_id, wire)
            return RefreshOutcome(
                state.feed_id, state.url, OutcomeKind.NOT_MODIFIED, bytes_downloaded=wire
            )
        if result.status is not FetchStatus.OK:
            reason = result.reason or "failed"
            await self._in_writer(
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
            and await self._in_writer(store.move_feed_url, state.feed_id, moved)
        ):
            url = moved
        fingerprint = body_fingerprint(result.body)
        if fingerprint == state.body_hash:
            # Same bytes as last time (a server without validators): no parse, no writes.
            await self._note_unchanged(state.feed_id, wire, result.etag, result.last_modified)
            return RefreshOutcome(
                state.feed_id,
                url,
                OutcomeKind.NOT_MODIFIED,
                bytes_downloaded=wire,
                same_body=True,
            )
        try:
            self._parsing += 1
            try:
                parsed, facts = await self._parse(
                    result.body, result.final_url, result.content_type
                )
            finally:
                self._parsing -= 1
                self._queued.set()  # the writer need not wait for this one any more
        except FeedError as error:
            await self._in_writer(
                store.record_failure, state.feed_id, str(error), bytes_downloaded=wire
            )
            return self._failed(state, str(error), wire)
        stored = await self.store_parsed(
            FeedUpdate(
                state.feed_id,
                parsed,
                body_hash=fingerprint,
                etag=result.etag,
                last_modified=result.last_modified,
                bytes_downloaded=wire,
                facts=facts,
            )
        )
        return RefreshOutcome(
            state.feed_id,
            url,
            OutcomeKind.UPDATED,
            new_articles=stored.new,
            updated_articles=stored.updated,
            bytes_downloaded=wire,
        )

    async def _parse(
        self, body: bytes, url: str, content_type: str | None
    ) -> tuple[ParsedFeed, tuple[EntryFacts, ...]]:
        try:
            if isinstance(self.parse_pool, ParsePool):
                return await self.parse_pool.parse_with_facts(body, url, content_type)
            loop = asyncio.get_running_loop()
            packed, facts = await loop.run_in_executor(
                self.parse_pool, parse_in_worker, body, url, content_type
            )
            return unpack(packed), facts
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
