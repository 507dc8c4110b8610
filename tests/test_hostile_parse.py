"""Parsing bounded in time and memory: worker processes with an address-space limit, a
per-parse timeout that kills the worker, through the refresh, subscribing, and the pool."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from feedgen import rss
from hostile import TEST_CONFIG, assert_failed, hostile_reader, refresh_one, seed_good_feed
from loopback import LoopbackServer
from tuireader.core import Reader, SubscribeError
from tuireader.models import FeedError, OutcomeKind
from tuireader.refresh import PARSE_TOO_LONG, ParsePool

#: Small enough that the slow document below is well past it on any machine.
PARSE_TIMEOUT = 1.0


def slow_to_parse(categories: int = 200_000) -> bytes:
    """4.4 MB that feedparser needs ~4 s for: 200,000 categories on one item.

    Field caps apply only after feedparser has built every element, so only the timeout
    bounds this (bench/hostile_bench.py measures it). The xml:base keeps it off the lxml
    fast path, which would read it in a fraction of a second.
    """
    categories_xml = "<category>a</category>" * categories
    return (
        '<?xml version="1.0"?><rss version="2.0" xml:base="https://example.org/">'
        "<channel><title>Slow</title>"
        f"<item><title>x</title><guid>urn:slow</guid>{categories_xml}</item></channel></rss>"
    ).encode()


def memory_hungry() -> bytes:
    """8 MB of escaped HTML in one description: feedparser needs over 100 MB for it.

    The xml:base keeps it off the lxml fast path, which needs far less.
    """
    description = "&lt;p&gt;word " * 600_000
    return (
        '<?xml version="1.0"?><rss version="2.0" xml:base="https://example.org/">'
        "<channel><title>Big</title>"
        f"<item><title>x</title><description>{description}</description></item>"
        "</channel></rss>"
    ).encode()


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return hostile_reader(tmp_path, replace(TEST_CONFIG, parse_timeout_seconds=PARSE_TIMEOUT))


async def test_a_parse_past_the_timeout_fails_the_feed(
    reader: Reader, http_server: LoopbackServer
) -> None:
    seeded = await seed_good_feed(reader, http_server)
    http_server.add("/feed.xml", slow_to_parse())

    started = time.monotonic()
    outcome = await refresh_one(reader)
    elapsed = time.monotonic() - started

    assert_failed(reader, seeded, outcome, PARSE_TOO_LONG)
    assert elapsed < 5 * PARSE_TIMEOUT  # not the several seconds the parse needs


async def test_other_feeds_of_the_refresh_survive_a_timed_out_parse(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/slow.xml", slow_to_parse())
    slow = reader.store.add_feed(http_server.url("/slow.xml"))
    good_ids = []
    for n in range(3):
        http_server.add(f"/good{n}.xml", rss(items=2, link=f"https://site{n}.example/"))
        good_ids.append(reader.store.add_feed(http_server.url(f"/good{n}.xml")).id)

    summary = await reader.refresh()

    kinds = {o.feed_id: (o.kind, o.reason) for o in summary.outcomes}
    assert kinds[slow.id][0] is OutcomeKind.FAILED
    assert PARSE_TOO_LONG in (kinds[slow.id][1] or "")
    assert all(kinds[i] == (OutcomeKind.UPDATED, None) for i in good_ids), kinds


async def test_subscribing_is_bounded_by_the_parse_timeout_too(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/slow.xml", slow_to_parse())

    with pytest.raises(SubscribeError, match=PARSE_TOO_LONG):
        await reader.subscribe(http_server.url("/slow.xml"))

    assert reader.feeds() == []


async def test_a_timed_out_worker_is_killed_and_the_pool_replaced() -> None:
    pool = ParsePool(1, timeout=PARSE_TIMEOUT)
    try:
        await pool.parse(rss(items=1), "https://example.org/feed", None)
        [old_pid] = pool.worker_pids()

        started = time.monotonic()
        with pytest.raises(FeedError, match=PARSE_TOO_LONG):
            await pool.parse(slow_to_parse(400_000), "https://example.org/slow", None)
        elapsed = time.monotonic() - started

        # Killed, not left to finish its ~8 s parse (nor waited for).
        assert not _alive(old_pid)
        assert elapsed < 4 * PARSE_TIMEOUT
        assert pool.replacements == 1
        feed = await pool.parse(rss(items=2), "https://example.org/feed", None)
        assert len(feed.entries) == 2
        assert pool.worker_pids() and old_pid not in pool.worker_pids()
    finally:
        pool.shutdown()


async def test_a_parse_past_the_memory_limit_fails_alone() -> None:
    pool = ParsePool(1, memory_limit=100 * 2**20)
    try:
        with pytest.raises(FeedError, match="^feed needs too much memory to parse$"):
            await pool.parse(memory_hungry(), "https://example.org/big", None)

        # The worker survives its MemoryError; the next feed parses normally.
        feed = await pool.parse(rss(items=2), "https://example.org/feed", None)
        assert len(feed.entries) == 2
        assert pool.replacements == 0
    finally:
        pool.shutdown()
