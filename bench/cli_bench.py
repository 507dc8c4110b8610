"""`tuireader list articles --json --limit 0` on a big library: peak memory and time.

Run: ``python bench/cli_bench.py`` (100,000 articles from ``make_library.py``; built once
and cached in ``bench/out/``). Each variant is a fresh process measured by GNU time
(``/usr/bin/time``): wall seconds, CPU seconds (user+sys) and peak RSS.

* ``startup``: ``list articles --limit 1 --json``, the floor (interpreter and imports).
* ``stream``: ``list articles --limit 0 --json``, what the command does now: rows read from
  one cursor in chunks and written as they come.
* ``whole``: the way it did it before, measured in the same run as the baseline: every
  row loaded into a list, then the whole list dumped as JSON.

Targets (issue 11/15): the stream's peak RSS stays within 20 MB of the start-up floor
(flat, whatever the library's size) and its CPU time is at most the whole-list way's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_library import LibrarySpec, ensure_library  # noqa: E402

TIME = "/usr/bin/time"
FLAT_MB = 20.0

WHOLE = """
import json, sys
from tuireader.cli.output import article_json
from tuireader.core import make_reader
from tuireader.store import ArticleQuery
reader = make_reader(db_path=sys.argv[1])
articles = reader.articles(ArticleQuery(), limit=10**9)
json.dump([article_json(a) for a in articles], sys.stdout, ensure_ascii=False, indent=2)
sys.stdout.write("\\n")
"""


def measure(argv: list[str], out: Path) -> tuple[float, float, float]:
    """(wall s, cpu s, peak RSS MB) of one process, its stdout written to ``out``."""
    with out.open("wb") as sink:
        result = subprocess.run(
            [TIME, "-f", "%e %U %S %M", *argv], stdout=sink, stderr=subprocess.PIPE, check=True
        )
    wall, user, system, rss_kb = result.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(rss_kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each variant (best kept)")
    args = parser.parse_args()
    if not Path(TIME).exists():
        print(f"{TIME} (GNU time) is not installed: apt-get install time")
        return 2
    library = ensure_library(LibrarySpec(args.feeds, args.articles))
    with tempfile.TemporaryDirectory(prefix="tuireader-cli-bench-") as folder:
        db = Path(folder) / "library.db"
        shutil.copyfile(library, db)  # the cached library stays as built (no migration)
        cli = [sys.executable, "-m", "tuireader", "--db", str(db), "list", "articles"]
        variants = {
            "startup": [*cli, "--limit", "1", "--json"],
            "stream": [*cli, "--limit", "0", "--json"],
            "whole": [sys.executable, "-c", WHOLE, str(db)],
        }
        subprocess.run(variants["startup"], capture_output=True, check=True)  # migrate, warm
        best: dict[str, tuple[float, float, float]] = {}
        for run in range(args.runs):
            for name, argv in variants.items():
                out = Path(folder) / f"{name}.json"
                figures = measure(argv, out)
                print(
                    f"run {run + 1} {name:<8} wall {figures[0]:6.2f} s  cpu {figures[1]:6.2f} s"
                    f"  peak RSS {figures[2]:7.1f} MB  output {out.stat().st_size / 2**20:6.1f} MB"
                )
                best[name] = min(best.get(name, figures), figures, key=lambda f: f[1])
                if name == "stream" and run == 0:
                    count = len(json.loads(out.read_text(encoding="utf-8")))
                    assert count == args.articles, f"streamed {count} of {args.articles}"
    start, stream, whole = best["startup"], best["stream"], best["whole"]
    above_floor = stream[2] - start[2]
    flat = above_floor <= FLAT_MB
    cheaper = stream[1] <= whole[1]
    print(
        f"stream peak RSS: {above_floor:.1f} MB above start-up (target <= {FLAT_MB:.0f} MB) "
        f"{'PASS' if flat else 'FAIL'}; {stream[2] / whole[2]:.2f}x the whole-list way's"
    )
    print(
        f"stream CPU: {stream[1] / whole[1]:.2f}x the whole-list way's (target <= 1.00) "
        f"{'PASS' if cheaper else 'FAIL'}"
    )
    print(f"(machine: {os.cpu_count()} CPUs, shared; CPU time is steadier than wall time)")
    return 0 if flat and cheaper else 1


if __name__ == "__main__":
    sys.exit(main())
