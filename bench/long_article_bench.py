"""A very long article in the app: how soon its first screen paints, and how soon a key is
handled while the rest of it waits to render (issue 15, point 11).

Run: ``python bench/long_article_bench.py``. In one run, on a throwaway library, with the
headless app (``App.run_test``, 140x40): a short article (the baseline) and a long one (1 MB
of text; then 50,000 links) are opened with ``enter``; the figure is the wall time from the key
to the
reading pane showing the article's first part (the compositor has painted it); then ``j``
is pressed at once and timed until the next article is shown. Beside the wall time, the
CPU time of the event loop's thread (what keys wait on; the workers' CPU is not in it), as
the machine may be shared. Targets: first paint of the long article
under 200 ms, and ``j`` under 200 ms while it renders.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ui"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from textual.pilot import Pilot  # noqa: E402
from uihelpers import build_reader, main, settle  # noqa: E402

from tuireader.ui.app import make_app  # noqa: E402

TARGET_MS = 200.0


#: The two long articles of issue 15: 1 MB of text, and 50,000 links.
KINDS = {
    "1 MB of text": {"paragraphs": 10_000, "link": False, "words": 4},
    "50,000 links": {"paragraphs": 50_000, "link": True, "words": 0},
}


def add_articles(reader: Any, kind: str) -> int:
    from test_ui_state import add_huge_article

    feed_id, size = add_huge_article(reader, **KINDS[kind])  # type: ignore[arg-type]
    return feed_id


async def wait_for(pilot: Pilot[Any], title: str) -> None:
    screen = main(pilot.app)  # type: ignore[arg-type]
    while True:
        shown = screen.reader_pane.shown
        if shown is not None and shown.article.title == title:
            await pilot.pause()  # one compositor pass: it is on screen
            return
        await asyncio.sleep(0.001)


async def timed(pilot: Pilot[Any], key: str, title: str) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    await pilot.press(key)
    await wait_for(pilot, title)
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


async def one_run(folder: Path, kind: str) -> dict[str, tuple[float, float]]:
    reader = build_reader(folder / "t.db", demo=False)
    feed_id = add_articles(reader, kind)
    app = make_app(reader, tz=UTC, open_url=lambda url: None, freeze_gc=False)
    figures: dict[str, tuple[float, float]] = {}
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(f"feed-{feed_id}")
        await settle(pilot)
        await pilot.press("j")  # the short article first: the baseline
        await settle(pilot)
        figures["short article, enter to first paint"] = await timed(pilot, "enter", "Short")
        await pilot.press("h", "k")
        await settle(pilot)
        figures["long article, enter to first paint"] = await timed(pilot, "enter", "Huge")
        figures["j while it renders, to the next shown"] = await timed(pilot, "j", "Short")
        await settle(pilot)
    reader.close()
    return figures


def main_() -> int:
    failed = False
    for kind in KINDS:
        print(f"--- a long article with {kind}")
        failed |= report(kind)
    return 1 if failed else 0


def report(kind: str) -> bool:
    runs: list[dict[str, tuple[float, float]]] = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(asyncio.run(one_run(Path(folder), kind)))
    failed = False
    for name in runs[0]:
        walls = [run[name][0] for run in runs]
        cpus = [run[name][1] for run in runs]
        wall = statistics.median(walls)
        verdict = ""
        if not name.startswith("short"):
            verdict = "PASS" if wall <= TARGET_MS else "FAIL"
            failed |= verdict == "FAIL"
        print(
            f"{name:42} median {wall:7.0f} ms wall (range {min(walls):.0f}-{max(walls):.0f}), "
            f"{statistics.median(cpus):7.0f} ms loop CPU  {verdict}"
        )
    short = statistics.median(r["short article, enter to first paint"][0] for r in runs)
    long = statistics.median(r["long article, enter to first paint"][0] for r in runs)
    print(f"long / short first paint: {long / short:.1f}x")
    return failed


if __name__ == "__main__":
    sys.exit(main_())
