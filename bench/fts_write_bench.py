"""What word positions cost the refresh's write path: FTS5 inserts with and without them.

Run: ``python bench/fts_write_bench.py`` (reuses ``bench/make_library.py``'s 100,000-article
library for real titles, authors and text; about a minute).

Inserts the same ``--rows`` articles' search text (every tenth of the library) into a fresh
on-disk FTS5 table, ``--batch`` rows per transaction as a refresh stores a feed, in three
variants, alternated ``--runs`` times:

* **column**: ``detail=column``, what the store had before migration 8 (the baseline);
* **full**: ``detail=full`` (word positions, so phrases are FTS5 phrase queries);
* **full, automerge 8**: what migration 8 makes, merging segments 8 at a time;
* **+ hashsize 8 MB**: what migration 9 adds: FTS5 keeps up to 8 MB of new terms in memory
  (1 MB by default) before it writes them out as a segment, so a refresh's transaction
  of several feeds (up to 1,600 articles, ~5 MB of text) is one segment, not several.

Prints the thread's CPU microseconds per row (median and range) and each variant's ratio
to the baseline measured in the same run. PASS when the store's index as it is now (the
last variant) costs at most 1.05x the baseline: positions must not make the refresh's CPU
go up. ``--batch 1600`` is a cold refresh's transaction (32 feeds of 50 articles).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_library  # noqa: E402
from make_library import LibrarySpec  # noqa: E402

#: name: (detail, automerge, hashsize)
VARIANTS: dict[str, tuple[str, int | None, int | None]] = {
    "column": ("column", None, None),
    "full": ("full", None, None),
    "full, automerge 8": ("full", 8, None),
    "+ hashsize 8 MB": ("full", 8, 8 * 2**20),
}
#: The variant the store uses now (migrations 8 and 9).
CURRENT = "+ hashsize 8 MB"
TARGET_RATIO = 1.05


def insert_cpu(
    rows: list[tuple[object, ...]],
    detail: str,
    automerge: int | None,
    hashsize: int | None,
    batch: int,
) -> float:
    """CPU microseconds per row to insert ``rows`` into a fresh table on disk."""
    with tempfile.TemporaryDirectory(prefix="tuireader-fts-bench-") as folder:
        conn = sqlite3.connect(Path(folder) / "fts.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(
            "CREATE VIRTUAL TABLE f USING fts5 (title, author, body,"
            f" tokenize = 'unicode61 remove_diacritics 2', detail = {detail})"
        )
        if automerge is not None:
            conn.execute(f"INSERT INTO f (f, rank) VALUES ('automerge', {automerge})")
        if hashsize is not None:
            conn.execute(f"INSERT INTO f (f, rank) VALUES ('hashsize', {hashsize})")
        started = time.thread_time()
        for start in range(0, len(rows), batch):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO f (rowid, title, author, body) VALUES (?, ?, ?, ?)",
                rows[start : start + batch],
            )
            conn.execute("COMMIT")
        cpu = time.thread_time() - started
        conn.close()
    return cpu * 1e6 / len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    library = make_library.ensure_library(LibrarySpec(500, 100_000))
    source = sqlite3.connect(f"{library.resolve().as_uri()}?mode=ro", uri=True)
    rows = source.execute(
        "SELECT rowid, title, author, body FROM articles_fts WHERE rowid % 10 = 0 LIMIT ?",
        (args.rows,),
    ).fetchall()
    source.close()
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.runs):
        for name, (detail, automerge, hashsize) in VARIANTS.items():
            times[name].append(insert_cpu(rows, detail, automerge, hashsize, args.batch))
    baseline = statistics.median(times["column"])
    print(f"{len(rows):,} articles, {args.batch} per transaction, {args.runs} runs alternated")
    print(f"{'variant':<20} {'CPU us/row':>10} {'range':>11} {'x column':>9}")
    for name, values in times.items():
        print(
            f"{name:<20} {statistics.median(values):>10.0f} "
            f"{min(values):>5.0f}-{max(values):<5.0f} {statistics.median(values) / baseline:>9.2f}"
        )
    ratio = statistics.median(times[CURRENT]) / baseline
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(
        f"\nthe store's index ({CURRENT}): x{ratio:.2f} the old one's insert CPU"
        f" (target <= {TARGET_RATIO}): {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
