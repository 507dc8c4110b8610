"""What a key repaints: a cursor move redraws the rows it leaves and enters, not the screen.

Issue 11: ``j`` at a key repeat's pace must paint within 50 ms on a 100,000-article library
(bench/ui_bench.py). A whole-screen repaint per key (a reactive on the screen or the list
that repaints its owner) costs 30-40 ms of rendering on its own; these tests look at what
the compositor sends to the terminal, so they fail on such a repaint whatever the machine.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual._compositor import ChopsUpdate, CompositorUpdate
from textual.geometry import Region
from textual.pilot import Pilot
from uihelpers import FIXED_NOW, AppFactory, main, settle, store_entries

from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.models import ArticleSummary, ParsedEntry
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.main import MainScreen
from tuireader.ui.widgets.article_list import ROW_HEIGHT, ArticleList


def record_updates(app: TuiReaderApp) -> list[CompositorUpdate]:
    """Every compositor update the app hands its driver from now on."""
    updates: list[CompositorUpdate] = []
    display = app._display

    def probe(screen: Any, renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate):
            updates.append(renderable)
        display(screen, renderable)

    app._display = probe  # type: ignore[method-assign]
    return updates


async def press_and_paint(pilot: Pilot[Any], key: str, updates: list[CompositorUpdate]) -> None:
    updates.clear()
    await pilot.press(key)
    await settle(pilot)


def painted_lines(updates: list[CompositorUpdate]) -> set[int]:
    lines: set[int] = set()
    for update in updates:
        assert isinstance(update, ChopsUpdate), f"a whole-screen repaint: {update!r}"
        lines |= {y for y, _, _ in update.spans}
    return lines


async def test_j_repaints_two_rows_of_the_list(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        articles = main(app).query_one(ArticleList)
        assert len(articles.ids) > 3
        updates = record_updates(app)
        await press_and_paint(pilot, "j", updates)
        assert articles.cursor == 1
        top = articles.content_region.y
        # Rows 0 and 1: the cursor left the first and entered the second.
        assert painted_lines(updates) == set(range(top, top + 2 * ROW_HEIGHT))
        region = articles.content_region
        for update in updates:
            assert isinstance(update, ChopsUpdate)
            for y, x1, x2 in update.spans:
                assert region.contains_region(Region(x1, y, x2 - x1, 1))

        await press_and_paint(pilot, "k", updates)
        assert articles.cursor == 0
        assert painted_lines(updates) == set(range(top, top + 2 * ROW_HEIGHT))


async def test_j_still_scrolls_the_cursor_into_view(
    reader: Reader, app_factory: AppFactory
) -> None:
    """A small terminal: moving past the last visible row scrolls the list (its rows all
    move), and the cursor's row is the one painted with the cursor."""
    app = app_factory(reader)
    async with app.run_test(size=(120, 12)) as pilot:
        await settle(pilot)
        articles = main(app).query_one(ArticleList)
        visible = articles.scrollable_content_region.height // ROW_HEIGHT
        assert len(articles.ids) > visible + 1
        updates = record_updates(app)
        for _ in range(visible):
            await press_and_paint(pilot, "j", updates)
        assert articles.cursor == visible
        assert articles.scroll_y > 0
        region = articles.content_region
        assert painted_lines(updates) >= set(range(region.y, region.y + region.height))
        cursor_line = articles.cursor * ROW_HEIGHT - int(articles.scroll_y)
        cursor_bg = articles.get_component_rich_style("article-list--cursor").bgcolor
        # The list is focused: its cursor style has a background to check.
        assert cursor_bg is not None
        for y in range(region.height):
            backgrounds = {s.style.bgcolor for s in articles.render_line(y) if s.style}
            on_cursor = cursor_line <= y < cursor_line + ROW_HEIGHT
            assert (cursor_bg in backgrounds) == on_cursor, y


async def test_the_first_paint_has_the_articles(reader: Reader, app_factory: AppFactory) -> None:
    """The main screen is not painted empty first: its first paint shows the list's rows
    (each paint before them cost a layout and a render the list's worker waited for)."""
    app = app_factory(reader)
    painted: list[bool] = []
    display = app._display

    def probe(screen: Any, renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate) and isinstance(screen, MainScreen):
            articles = screen.query_one(ArticleList)
            current = articles.current_id
            painted.append(current is not None and articles.row(current) is not None)
        display(screen, renderable)

    app._display = probe  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
    assert painted
    assert painted[0], "the main screen was painted before its articles were in"


def line_text(articles: ArticleList, y: int) -> str:
    return "".join(segment.text for segment in articles.render_line(y))


async def test_redrawn_lines_follow_marks_and_the_clock(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    """Lines drawn once are reused when the list scrolls (issue 11), but a star, a read
    mark or the age moving on shows at the next draw."""
    now = [FIXED_NOW]
    reader = make_reader(db_path=tmp_path / "t.db", config=Config(), clock=lambda: now[0])
    reader.load_demo()
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        articles = main(app).query_one(ArticleList)
        first = articles.ids[0]
        title, meta = line_text(articles, 0), line_text(articles, 1)
        assert "★" not in title
        await pilot.press("s")  # star the current (first) article
        await settle(pilot)
        assert "★" in line_text(articles, 0)
        assert articles.row(first) is not None and articles.row(first).starred  # type: ignore[union-attr]
        now[0] = FIXED_NOW + timedelta(days=400)
        moved_on = line_text(articles, 1)
        assert moved_on != meta
        assert moved_on.split(" · ")[0] == meta.split(" · ")[0]  # the feed stays


async def test_row_by_row_the_list_reads_rows_now_and_then(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    """j after j reads the store's rows a window at a time, not one row at every key (each
    read made the list redraw and drop its drawn lines); no row on screen is left unread."""
    reader = make_reader(db_path=tmp_path / "t.db", config=Config(), clock=lambda: FIXED_NOW)
    feed = reader.store.add_feed("https://example.org/feed")
    entries = [
        ParsedEntry(
            title=f"Story {n}",
            guid=f"g{n}",
            link=f"https://example.org/{n}",
            published=FIXED_NOW - timedelta(hours=n),
        )
        for n in range(400)
    ]
    store_entries(reader.store, feed.id, "Gazette", entries)
    reads: list[int] = []
    summaries = reader.summaries

    def counted(ids: list[int]) -> list[ArticleSummary]:
        reads.append(len(ids))
        return summaries(ids)

    reader.summaries = counted  # type: ignore[method-assign]
    app = app_factory(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        articles = main(app).query_one(ArticleList)
        reads.clear()
        for _ in range(8):
            await pilot.press(*"j" * 10)
            await settle(pilot)
            top = int(articles.scroll_y) // ROW_HEIGHT
            shown = articles.ids[top : top + articles.size.height // ROW_HEIGHT]
            assert all(articles.row(i) is not None for i in shown)
        assert articles.cursor == 80
        assert 1 <= len(reads) <= 3, reads
