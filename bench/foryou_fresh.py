"""For you on the big library: first ranked results in a fresh process (wall, CPU, peak RSS).

Runs ``python -m tuireader --db COPY list for-you --limit 10 --json`` as a new process each
time, on a copy of the ``make_library.py`` library (100,000 articles, ~52,000 signals):

1. once with no persisted state (a library from before the persisted model, or one whose
   state format changed): the whole log is replayed and the candidates analysed;
2. ``--runs`` times with the state that run left (what every later opening costs);
3. once after 150 new signals recorded since (folded in incrementally).

Peak RSS is the child's own ``ru_maxrss`` (``os.wait4``). Targets from issue 11: within 1 s
and under 250 MB for the fresh process with persisted state. The machine may be shared:
the load average is printed, and CPU time (user+sys) beside the wall time.

Run alone: ``python bench/foryou_fresh.py`` (builds the library once, like ui_bench.py),
or as part of ``python bench/ui_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_library  # noqa: E402
from tuireader.store import ArticleQuery, Store  # noqa: E402

TARGET_WALL_S = 1.0
TARGET_RSS_MB = 250.0
NEW_SIGNALS = 150


def run_once(db: Path, env: dict[str, str]) -> dict[str, Any]:
    """One fresh ``list for-you`` process: wall and CPU seconds, peak RSS, rows returned."""
    command = [sys.executable, "-m", "tuireader", "--db", str(db)]
    command += ["list", "for-you", "--limit", "10", "--json"]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        rows = json.loads(out.read() or b"[]") if process.returncode == 0 else []
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "exit": process.returncode,
        "rows": len(rows),
        "feeds": len({row["feed_id"] for row in rows}),
        "reasons": [row["why"] for row in rows],
    }


def add_signals(db: Path, count: int) -> None:
    """Signals recorded after the persisted state was saved, as the app records them."""
    with Store(db) as store:
        ids = store.article_ids(ArticleQuery(unread_only=True))[:count]
        for article_id in ids:
            store.open_article(article_id, mark_read=False)


def measure(db: Path, env: dict[str, str], runs: int) -> dict[str, Any]:
    first = run_once(db, env)
    warm = [run_once(db, env) for _ in range(runs)]
    add_signals(db, NEW_SIGNALS)
    after = run_once(db, env)
    return {"no_state": first, "persisted": warm, "after_new_signals": after}


def rows(figures: dict[str, Any]) -> list[tuple[str, float, str, float | None]]:
    """(label, value, unit, target) rows for a report table."""
    first, warm, after = figures["no_state"], figures["persisted"], figures["after_new_signals"]
    wall = statistics.median(r["wall_s"] for r in warm)
    return [
        ("For you, fresh process, no state yet: wall", first["wall_s"], "s", None),
        ("For you, fresh process, no state yet: CPU", first["cpu_s"], "s", None),
        ("For you, fresh process, no state yet: peak RSS", first["rss_mb"], "MB", None),
        ("For you, fresh process: wall (median)", wall, "s", TARGET_WALL_S),
        (
            "For you, fresh process: CPU (median)",
            statistics.median(r["cpu_s"] for r in warm),
            "s",
            None,
        ),
        (
            "For you, fresh process: peak RSS (max)",
            max(r["rss_mb"] for r in warm),
            "MB",
            TARGET_RSS_MB,
        ),
        (
            f"For you, fresh process, +{NEW_SIGNALS} signals: wall",
            after["wall_s"],
            "s",
            TARGET_WALL_S,
        ),
        (
            f"For you, fresh process, +{NEW_SIGNALS} signals: peak RSS",
            after["rss_mb"],
            "MB",
            TARGET_RSS_MB,
        ),
    ]


def report(figures: dict[str, Any]) -> bool:
    ok = True
    for label, value, unit, target in rows(figures):
        check = ""
        if target is not None:
            check = "PASS" if value <= target else "FAIL"
            ok = ok and value <= target
        goal = f"< {target:g} {unit}" if target is not None else ""
        print(f"  {label:<52} {value:8.2f} {unit:<3} {goal:<10} {check}")
    warm = figures["persisted"]
    walls = ", ".join(f"{r['wall_s']:.2f}" for r in warm)
    print(f"  wall of each persisted run (s): {walls}")
    last = figures["after_new_signals"]
    print(f"  top 10: {last['rows']} rows from {last['feeds']} feeds; reasons:")
    for why in last["reasons"]:
        print(f"    {why}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    library = make_library.ensure_library(
        make_library.LibrarySpec(args.feeds, args.articles, args.seed)
    )
    root = Path(tempfile.mkdtemp(prefix="tuireader-foryou-"))
    try:
        db = root / "tuireader.db"
        shutil.copyfile(library, db)
        env = os.environ | {
            f"TUIREADER_{name.upper()}_DIR": str(root / name)
            for name in ("config", "data", "cache")
        }
        print(
            f"library {library.name}; load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores"
        )
        ok = report(measure(db, env, args.runs))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"for you bench: {'PASS' if ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
