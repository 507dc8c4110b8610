"""What hostile feeds cost to parse, and what parsing in a worker process costs.

Run: python bench/hostile_bench.py [--quick]. Prints, for each hostile document, the parse
time and peak memory in a fresh process (with and without the entry cut before parsing for
the 100,000-item feed), then the start-up cost of the guarded parse pool against parsing in
a thread. Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from feedgen import rss  # noqa: E402
from tuireader.models import FeedError  # noqa: E402
from tuireader.parse import parse_feed, xmlfeed  # noqa: E402
from tuireader.refresh import ParsePool  # noqa: E402


def many_items(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><guid>urn:n:{n}</guid><link>https://e.org/{n}</link></item>"
        for n in range(count)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
    return f"{head}{items}</channel></rss>".encode()


def many_categories(count: int) -> bytes:
    categories = "<category>a</category>" * count
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>'
        f"<item><title>x</title>{categories}</item></channel></rss>"
    ).encode()


def long_description(repeats: int) -> bytes:
    description = "&lt;p&gt;word " * repeats
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
        f"<item><title>x</title><description>{description}</description></item></channel></rss>"
    ).encode()


def _measure(body: bytes, cut: bool) -> tuple[float, float, int, str]:
    """In a fresh process: seconds, peak RSS in MB, entries kept, error if any."""
    if not cut:
        xmlfeed.cap_entries = lambda body, limit=0: (body, 0)  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        entries, error = len(parse_feed(body, url="https://e.org/feed").entries), ""
    except FeedError as exc:
        entries, error = 0, str(exc)
    elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, entries, error


def in_fresh_process(body: bytes, cut: bool = True) -> tuple[float, float, int, str]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_measure, body, cut).result()


async def _pool_costs(body: bytes, rounds: int) -> tuple[list[float], list[float]]:
    first, second = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        pool = ParsePool(1)
        await pool.parse(body, "https://e.org/feed", None)
        first.append(time.perf_counter() - started)
        started = time.perf_counter()
        await pool.parse(body, "https://e.org/feed", None)
        second.append(time.perf_counter() - started)
        pool.shutdown()
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the slowest measurement")
    args = parser.parse_args()

    cases: list[tuple[str, Callable[[], bytes], bool]] = [
        ("100,000 items, cut before parsing", lambda: many_items(100_000), True),
        ("100,000 items, no cut (before)", lambda: many_items(100_000), False),
        ("10,000 items (the cap)", lambda: many_items(10_000), True),
        ("200,000 categories on one item", lambda: many_categories(200_000), True),
        ("8 MB escaped HTML description", lambda: long_description(600_000), True),
    ]
    if args.quick:
        cases = [c for c in cases if c[2]]
    print(f"{'document':40} {'MB':>6} {'parse s':>8} {'peak MB':>8} {'entries':>8}")
    for name, make, cut in cases:
        body = make()
        elapsed, peak, entries, error = in_fresh_process(body, cut)
        size = len(body) / 2**20
        print(f"{name:40} {size:6.1f} {elapsed:8.2f} {peak:8.0f} {entries:8} {error}")

    body = rss(items=20)
    started = time.perf_counter()
    for _ in range(20):
        parse_feed(body, url="https://e.org/feed")
    in_thread = (time.perf_counter() - started) / 20
    first, second = asyncio.run(_pool_costs(body, 5))
    print()
    print("20-item feed:")
    print(f"  parse in this process            {in_thread * 1000:7.1f} ms")
    print(f"  new ParsePool + first parse      {statistics.median(first) * 1000:7.1f} ms (median)")
    print(f"  later parse in the same pool     {statistics.median(second) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
