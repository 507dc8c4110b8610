"""What images cost the app's start: with ``images = "off"`` nothing, with images on the
import of textual-image (in a thread, beside the app's own imports).

Run: python bench/images_start_bench.py [--runs 5]. Each run is a fresh process that does
what ``run_app`` does before the app takes the terminal: images off imports the app only
(the baseline, measured in the same run); images on also loads textual-image in a thread
and waits for it. Prints the CPU and wall time of both (median of the runs) and their
ratio. PASS when images off imports no textual_image module at all and images on costs at
most 1.5x the baseline's CPU. Outside a terminal textual-image asks the terminal nothing
(it draws in text then): under a real terminal add its answer time (about 0.1 s per
question it gets no answer to).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = """
import json, sys, time
start_cpu, start = time.process_time(), time.perf_counter()
loading = None
if sys.argv[1] == "on":
    from tuireader.ui import images
    loading = images.start_loading()
import tuireader.ui.app
if loading is not None:
    loading.join()
print(json.dumps({
    "cpu": time.process_time() - start_cpu,
    "wall": time.perf_counter() - start,
    "textual_image": sum(name.startswith("textual_image") for name in sys.modules),
}))
"""

MAX_RATIO = 1.5


def run(mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for _ in range(args.runs):
        for mode in results:  # interleaved: a busy moment hits both alike
            results[mode].append(run(mode))
    medians = {
        mode: {key: statistics.median(r[key] for r in rows) for key in ("cpu", "wall")}
        for mode, rows in results.items()
    }
    modules_off = max(r["textual_image"] for r in results["off"])
    modules_on = min(r["textual_image"] for r in results["on"])
    ratio = medians["on"]["cpu"] / medians["off"]["cpu"]
    for mode in ("off", "on"):
        m = medians[mode]
        print(f"images {mode:<3}: cpu {m['cpu'] * 1000:6.0f} ms  wall {m['wall'] * 1000:6.0f} ms")
    print(f"textual_image modules imported: off {modules_off:.0f}, on {modules_on:.0f}")
    ok = modules_off == 0 and modules_on > 0 and ratio <= MAX_RATIO
    print(f"images on / off CPU: {ratio:.2f}x (target <= {MAX_RATIO}x, off imports none)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
