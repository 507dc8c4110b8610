"""Snapshot tests: fixed data (the demo library) and a fixed clock, so dates never drift."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from uihelpers import AppFactory, build_reader, settle

from tuireader.core import Reader
from tuireader.store import ArticleQuery

SnapCompare = Callable[..., bool]


async def _ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_main_wide(reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)


def test_main_narrow(reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare) -> None:
    assert snap_compare(app_factory(reader), terminal_size=(80, 30), run_before=_ready)


def test_narrow_reading(reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(80, 30), run_before=run_before)


def test_for_you(reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        second = reader.store.article_ids(ArticleQuery())[1]
        reader.store.record_event("less_like", article_id=second)
        await pilot.press("h", *["j"] * 4, "enter")
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)


def test_help(reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)


def test_multi_select_without_the_feeds_pane(
    reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare
) -> None:
    """Issue 10: w hides the feeds pane; v marks three rows and the title counts them."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("w", "v", "j", "v", "v")
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)


def test_error_notification(
    reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        reader.store.set_read([], True)
        pilot.app.screen.notify(
            "https://down.example/feed: connection refused", severity="error", timeout=600
        )
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)


def test_welcome(tmp_path: Path, app_factory: AppFactory, snap_compare: SnapCompare) -> None:
    reader = build_reader(tmp_path / "empty.db", demo=False)
    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=_ready)
