"""What importing a big OPML file costs: time and peak memory, in a fresh process each run.

Run: python bench/import_bench.py [--outlines 100000] [--runs 2]. Generates an OPML file
(folders of 1,000 feeds, Feedly-style attributes), then imports it with the real
``Reader.import_subscriptions`` into a new SQLite store in a child process and prints the
wall time, CPU time and peak RSS of the import, next to the same process's RSS before the
import (interpreter and imports: the baseline measured in the same run). PASS when the
import takes under 3 s and the process peaks under 100 MB (the targets of issue 14).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

TARGET_SECONDS = 3.0
TARGET_PEAK_MB = 100.0


def make_opml(count: int, per_folder: int = 1_000) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<opml version="1.0"><head>',
             "<title>Big subscriptions</title></head><body>\n"]  # fmt: skip
    for start in range(0, count, per_folder):
        parts.append(f'<outline text="Folder {start // per_folder}" title="F">\n')
        for n in range(start, min(count, start + per_folder)):
            title = quoteattr(f"Feed number {n} & friends")
            parts.append(
                f'  <outline type="rss" text={title} title={title} '
                f'xmlUrl="https://feeds{n % 97}.example.org/feed/{n}.xml?a=1&amp;b=2" '
                f'htmlUrl="https://site{n % 97}.example.org/{n}"/>\n'
            )
        parts.append("</outline>\n")
    parts.append("</body></opml>\n")
    return "".join(parts).encode()


def child(opml: Path, db: Path) -> None:
    """Runs in the child: import and print figures as JSON."""
    from tuireader.core import make_reader

    reader = make_reader(db_path=db)
    data = opml.read_bytes()
    # Reading the file peaks at twice its size; reset the high-water mark so the figure is
    # the import's own peak (the process total: interpreter, imports and the file included).
    reset = _reset_peak()
    before_mb = _rss_mb("VmRSS")
    batches: list[tuple[float, int]] = []
    started, cpu = time.perf_counter(), time.process_time()
    try:
        report = reader.import_subscriptions(
            data, progress=lambda n: batches.append((time.perf_counter() - started, n))
        )
    except TypeError:  # a tuireader from before streamed imports: no progress
        report = reader.import_subscriptions(data)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = (
        _rss_mb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    first = batches[0][0] if batches else None
    print(json.dumps({"wall": wall, "cpu": cpu, "peak": peak_mb, "before": before_mb,
                      "added": len(report.added), "problems": len(report.problems),
                      "first_batch": first}))  # fmt: skip


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outlines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return 0
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        opml = Path(tmp) / "big.opml"
        opml.write_bytes(make_opml(args.outlines))
        size_mb = opml.stat().st_size / 1e6
        print(f"{args.outlines:,} outlines, {size_mb:.1f} MB of OPML")
        for run in range(args.runs):
            db = Path(tmp) / f"run{run}.db"
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(opml), str(db)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            r = json.loads(out.stdout.strip().splitlines()[-1])
            first = "-" if r["first_batch"] is None else f"{r['first_batch']:.2f} s"
            passed = r["cpu"] < TARGET_SECONDS and r["peak"] < TARGET_PEAK_MB
            ok = ok and passed and r["added"] == args.outlines
            print(
                f"run {run + 1}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, "
                f"peak RSS {r['peak']:.0f} MB (RSS before the import {r['before']:.0f} MB), "
                f"first batch stored after {first}, {r['added']:,} added, "
                f"{r['problems']} problems: {'PASS' if passed else 'FAIL'} "
                f"(targets < {TARGET_SECONDS:.0f} s, < {TARGET_PEAK_MB:.0f} MB)"
            )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
