"""The app's first paint loads only what the first screen needs.

A fresh interpreter starts the real app (``App.run_test``) the way ``python -m tuireader``
does (the command line's modules first) and lists ``sys.modules`` at the first paint that
shows the list's rows. The modules below belong to what comes later (an article opened, a
page or an episode fetched, For you ranked, a sync): each would cost the start-up its import
time (bench/ui_bench.py, first paint).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from uihelpers import build_reader

#: Not before the first paint (a name covers its submodules).
LATER = (
    "httpx",
    "feedparser",
    "lxml",
    "trafilatura",
    "markdown_it",
    "pygments",
    "textual_image",
    "PIL",
    "textual.widgets._markdown",
    "tuireader.fetch",
    "tuireader.htmlmd",
    "tuireader.fulltext",
    "tuireader.extract",
    "tuireader.parse",
    "tuireader.refresh",
    "tuireader.ui.reading",
    "tuireader.ui.links",
    "tuireader.media.episodes",
    "tuireader.media.images",
    "tuireader.recommend",
    "tuireader.foryou",
    "tuireader.sync.engine",
)

START = """
import asyncio, json, sys
import tuireader.cli  # what `python -m tuireader` imports before the app
from tuireader.core import make_reader
from tuireader.ui.app import make_app
from tuireader.ui.widgets.article_list import ArticleList

async def main() -> None:
    reader = make_reader(db_path=sys.argv[1])
    app = make_app(reader, freeze_gc=False)
    seen: list[str] = []
    display = app._display

    def probe(screen, renderable):
        display(screen, renderable)
        if seen or renderable is None:
            return
        try:
            rows = app.screen.query_one(ArticleList)
        except Exception:
            return
        if rows.current_id is not None and rows.row(rows.current_id) is not None:
            seen.extend(sys.modules.copy())

    app._display = probe
    async with app.run_test(size=(140, 40)) as pilot:
        while not seen:
            await app.workers.wait_for_complete()
            await pilot.pause()
    reader.close()
    print(json.dumps(sorted(seen)))

asyncio.run(main())
"""


def later_modules(loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == name or m.startswith(name + ".") for name in LATER)]


def test_later_modules_matches_packages_and_submodules_only() -> None:
    loaded = ["httpx", "httpx._client", "httpxish", "tuireader.recommend.model", "textual.app"]
    assert later_modules(loaded) == ["httpx", "httpx._client", "tuireader.recommend.model"]


def test_first_paint_loads_nothing_for_later(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    build_reader(db).close()
    done = subprocess.run(
        [sys.executable, "-c", START, str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "tuireader.ui.widgets.article_list" in loaded, "the probe saw no first paint"
    assert later_modules(loaded) == []
