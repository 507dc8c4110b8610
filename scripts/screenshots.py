"""Drive the real app on the demo library and write SVG screenshots into screenshots/.

Run: ``python scripts/screenshots.py`` (from the repository root).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.store import ArticleQuery
from tuireader.ui.app import make_app

OUT = Path(__file__).resolve().parents[1] / "screenshots"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(
    name: str,
    size: tuple[int, int],
    steps: Callable[[Pilot[Any]], Awaitable[None]],
    demo: bool,
    history: Callable[[Reader], None] | None = None,
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        reader = make_reader(db_path=Path(scratch) / "t.db", config=Config(), clock=lambda: NOW)
        if demo:
            reader.load_demo()
        if history is not None:
            history(reader)
        app = make_app(reader, demo=demo, tz=UTC, open_url=lambda url: None)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)
            await settle(pilot)
            (OUT / f"{name}.svg").write_text(app.export_screenshot(title=f"tuireader: {name}"))
        reader.close()
    print(f"wrote {OUT / name}.svg")


def some_reading(reader: Reader) -> None:
    """A little history for For you: stories about cables read and liked, one shrugged off."""
    store = reader.store
    for row in store.summaries(store.article_ids(ArticleQuery())):
        if "cable" in row.title.lower():
            store.open_article(row.id, mark_read=True)
            store.record_event("read_long", article_id=row.id)
            store.set_recommended(row.id, True)
        elif row.title.startswith("Fishing quota"):
            store.record_event("less_like", article_id=row.id)


async def nothing(pilot: Pilot[Any]) -> None:
    return None


def keys(*presses: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    await shoot("main", (140, 40), keys("j", "j"), demo=True)
    await shoot("reading", (140, 40), keys("j", "enter"), demo=True)
    await shoot(
        "for-you",
        (140, 40),
        # into For you, then open its first article: the header says why it is there
        keys("h", "j", "j", "j", "j", "enter", "enter"),
        demo=True,
        history=some_reading,
    )
    await shoot("wide", (200, 50), keys("j", "enter"), demo=True)
    await shoot("narrow", (80, 30), keys("enter"), demo=True)
    await shoot("help", (140, 40), keys("question_mark"), demo=True)
    await shoot("welcome", (140, 40), nothing, demo=False)
    await shoot("stats", (140, 40), keys("ctrl+t"), demo=True, history=some_reading)
    # w hides the feeds pane, v selects three rows; g waits for its second key
    await shoot("select", (140, 40), keys("w", "v", "j", "v", "v", "g"), demo=True)


if __name__ == "__main__":
    asyncio.run(main())
