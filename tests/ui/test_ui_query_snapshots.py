"""Snapshot: a search with its matches highlighted (list titles, the reading pane with
the match n moved to), beside a sidebar with a query feed and a tag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from uihelpers import AppFactory, settle

from tuireader.core import Reader

SnapCompare = Callable[..., bool]


def test_search_highlights_and_sidebar_tags(
    reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare
) -> None:
    reader.store.add_saved_search("Ferries", "ferry")
    gazette = next(f for f in reader.feeds() if f.title == "The Harbour Gazette")
    reader.store.tag_feed(gazette.id, "local")

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", "tab", *"ferry", "enter")
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        await pilot.press("l", "n")  # the reading pane, then its first match
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)
