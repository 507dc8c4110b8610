"""Helpers for the TUI tests: a real store file with the demo library and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.models import FullTextMode, ParsedEntry, ParsedFeed
from tuireader.store import Store
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.main import MainScreen

#: The demo library's newest article is from the morning of this day.
FIXED_NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

HOSTILE_TITLE = "[@click=app.quit]x[/]"
ESCAPE_TITLE = "Evil \x1b[2J\x1b]52;c;aGk=\x07title"


AppFactory = Callable[..., TuiReaderApp]


def main(app: TuiReaderApp) -> MainScreen:
    """The app's main screen (asserting that it is the one showing)."""
    assert isinstance(app.screen, MainScreen)
    return app.screen


def build_reader(db_path: Path, *, demo: bool = True, config: Config | None = None) -> Reader:
    reader = make_reader(db_path=db_path, config=config or Config(), clock=lambda: FIXED_NOW)
    if demo:
        # The demo's pages live on .example hosts: never try to fetch them in a test.
        for feed in reader.load_demo():
            reader.store.update_feed(feed.id, full_text=FullTextMode.NEVER)
    return reader


def add_hostile_feed(reader: Reader) -> int:
    """A feed whose texts try markup injection and terminal escapes (stored raw on purpose)."""
    feed = reader.store.add_feed("https://evil.example/feed", folder="Zz")
    entries = (
        ParsedEntry(
            title=HOSTILE_TITLE,
            guid="e1",
            link="https://evil.example/1",
            published=datetime(2026, 11, 30, 11, 0, tzinfo=UTC),
            content_html="<p>Click <a href='javascript:alert(1)'>me</a> or "
            "<a href='https://ok.example/'>this</a>.</p>",
        ),
        ParsedEntry(title=ESCAPE_TITLE, guid="e2", link="https://evil.example/2"),
    )
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title=HOSTILE_TITLE, entries=entries),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    return feed.id


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until workers, and the workers their results start, are all done."""
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str = "it") -> None:
    """Let the app run until ``condition()`` holds, polling; bounded at 10 s, so a hang
    fails instead of waiting forever. For what workers on the loopback server bring."""
    for _ in range(2000):
        if condition():
            return
        await pilot.pause(0.005)
    raise AssertionError(f"never happened: {what}")


def toasts(app: TuiReaderApp) -> list[str]:
    """The messages of every notification the app has shown so far, oldest first."""
    return [n.message for n in app._notifications]


def store_entries(store: Store, feed_id: int, title: str, entries: Iterable[ParsedEntry]) -> None:
    """Store ``entries`` as one fetch of the feed would (no validators, nothing downloaded)."""
    store.store_feed(
        feed_id,
        ParsedFeed(title=title, entries=tuple(entries)),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
