"""Pilot tests: full articles fetched from the page over loopback HTTP, and the bytes it cost."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from uihelpers import AppFactory, build_reader, main, settle, toasts, until

from feedgen import rss
from loopback import LoopbackServer, Request, Response
from tuireader.core import Reader
from tuireader.fulltext import BodySource
from tuireader.models import FullTextMode, ParsedEntry, ParsedFeed

FEED_PARAGRAPHS = [f"Feed paragraph {n}: the harbour wall, the tide, the ferry." for n in range(30)]
PAGE_PARAGRAPHS = [
    f"Page paragraph {n}: engineers spliced the armoured shore end to the landing station "
    "within hours, and the first light crossed the Atlantic section before midnight."
    for n in range(60)
]


def page_html() -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PAGE_PARAGRAPHS)
    return f"""<!doctype html><html><head><title>Kestrel lands | Gazette</title>
<meta name="author" content="Mara Quill"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Kestrel lands</h1><p class="standfirst">A new cable for the peninsula.</p>
{body}</article><footer>Copyright Gazette.</footer></body></html>""".encode()


def add_feed(reader: Reader, link: str, *, mode: FullTextMode) -> int:
    """A feed with one long article (so the pane scrolls) whose page lives at ``link``."""
    entry = ParsedEntry(
        title="Kestrel lands",
        guid="k1",
        link=link,
        published=datetime(2026, 11, 30, 11, 30, tzinfo=UTC),
        content_html="".join(f"<p>{p}</p>" for p in FEED_PARAGRAPHS),
    )
    parsed = ParsedFeed("Gazette", entries=(entry,))
    feed = reader.add_parsed_feed("https://gazette.example/feed", parsed)
    reader.store.update_feed(feed.id, full_text=mode)
    return feed.id


def gated_page(gate: threading.Event) -> Callable[[Request], Response]:
    """The page, sent only once the test opens the gate."""

    def handler(request: Request) -> Response:
        while not gate.is_set():
            if request.wait(0.01):
                break
        return Response(page_html(), headers={"Content-Type": "text/html; charset=utf-8"})

    return handler


async def test_page_replaces_the_feed_text_without_moving_the_reader(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    add_feed(reader, http_server.url("/story"), mode=FullTextMode.ALWAYS)
    gate = threading.Event()
    http_server.add_handler("/story", gated_page(gate))
    app = app_factory(reader)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        screen = main(app)
        pane = screen.reader_pane
        await pilot.press("enter")
        await until(pilot, lambda: pane.shown is not None)
        # The feed's text shows at once, and the page is on its way.
        assert pane.shown is not None and pane.shown.source is BodySource.FEED
        assert "fetching" in pane.shown.note
        await asyncio.to_thread(http_server.wait_for_in_flight, 1)
        await pilot.pause()
        pane.scroll_to(y=6, animate=False, immediate=True)
        await pilot.pause()
        assert pane.scroll_y == 6
        gate.set()
        await settle(pilot)
        shown = pane.shown
        assert shown is not None and shown.source is BodySource.PAGE
        assert "Page paragraph 0" in shown.markdown
        assert "full text from the page" in shown.note
        assert pane.scroll_y == 6  # the reader did not move
        header = str(screen.query_one("#article-header").render())
        assert "by Mara Quill" in header  # the page's author fills what the feed lacked
        status = str(screen.status_line.render())
        assert "1 page · " in status and "KB" in status
        # t: back to the feed's text, and again to the (now cached) page.
        await pilot.press("t")
        await settle(pilot)
        assert pane.shown is not None and pane.shown.source is BodySource.FEED
        await pilot.press("t")
        await settle(pilot)
        assert pane.shown is not None and pane.shown.source is BodySource.PAGE
        assert http_server.paths_requested().count("/story") == 1


async def test_page_that_arrives_too_late_is_dropped(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    reader = build_reader(tmp_path / "t.db")  # the demo library, plus the slow feed
    add_feed(reader, http_server.url("/story"), mode=FullTextMode.ALWAYS)
    gate = threading.Event()
    http_server.add_handler("/story", gated_page(gate))
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        pane = screen.reader_pane
        await pilot.press("enter")  # the slow article is the newest
        await asyncio.to_thread(http_server.wait_for_in_flight, 1)
        await pilot.press("j")  # moved on before the page arrived
        gate.set()
        await settle(pilot)
        assert pane.shown is not None and "Kestrel" not in pane.shown.article.title
        assert pane.shown.source is BodySource.FEED


async def test_failed_fetch_says_why_and_mode_key_cycles(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    feed_id = add_feed(reader, http_server.url("/gone"), mode=FullTextMode.ALWAYS)
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen.reader_pane.shown
        assert shown is not None and shown.source is BodySource.FEED
        assert shown.note.startswith("couldn't fetch the page: ")
        assert "404" in shown.note and "showing the feed's text" in shown.note
        # F cycles the feed's mode: always -> never -> auto.
        await pilot.press("F")
        await settle(pilot)
        assert reader.store.get_feed(feed_id).full_text is FullTextMode.NEVER
        assert any("never" in n.message for n in app._notifications)
        await pilot.press("F")
        await settle(pilot)
        assert reader.store.get_feed(feed_id).full_text is FullTextMode.AUTO


async def test_a_page_that_failed_is_not_counted_as_a_page(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    # Seen in the user trial: a page with no article on it said "1 page · 2 KB" in the
    # status line, as if it had been saved. Its bytes still count: they were spent.
    reader = build_reader(tmp_path / "t.db", demo=False)
    add_feed(reader, http_server.url("/cookie-wall"), mode=FullTextMode.ALWAYS)
    wall = (
        b"<html><body><nav><a href='/'>Accept cookies</a></nav>" + b" " * 2000 + b"</body></html>"
    )
    http_server.add("/cookie-wall", wall, content_type="text/html")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen.reader_pane.shown
        assert shown is not None and shown.note.startswith("couldn't fetch the page: ")
        status = screen.status_line.text().plain
        assert "1 page" not in status, status
        assert "0 pages, 1 failed · 2 KB" in status, status


def fill_the_disk(mount_point: Path) -> None:
    """Take every free byte left on the file system: each later write fails, as on a
    laptop whose disk filled up while the app was open."""
    with contextlib.suppress(OSError), (mount_point / "filler").open("wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()


async def test_a_page_that_cannot_be_saved_says_so_in_the_pane(
    small_tmpfs: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    # Seen in the user trial on a full disk: "fetching the full article from its page…"
    # stayed in the header for good once the page could not be stored.
    reader = build_reader(small_tmpfs / "t.db", demo=False)
    add_feed(reader, http_server.url("/story"), mode=FullTextMode.ALWAYS)
    http_server.add("/story", page_html(), content_type="text/html; charset=utf-8")
    app = app_factory(reader)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        fill_the_disk(small_tmpfs)
        pane = main(app).reader_pane
        await pilot.press("enter")
        await settle(pilot)
        assert pane.shown is not None
        assert pane.shown.note.startswith("couldn't save the page: "), pane.shown.note
        assert "the disk is full" in pane.shown.note
    reader.close()  # quitting on a full disk raised too (the reading-time signal)


async def test_a_refresh_that_cannot_be_saved_does_not_stay_running(
    small_tmpfs: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    # Seen in the user trial on a full disk: "⟳ Refreshing 1/1 feeds" for good after a
    # refresh whose feed had not changed (its 304 could not be recorded).
    reader = build_reader(small_tmpfs / "t.db", demo=False)
    http_server.add("/feed.xml", rss(items=3), etag='"a"')
    await reader.subscribe(http_server.url("/feed.xml"))
    app = app_factory(reader)
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        await settle(pilot)
        fill_the_disk(small_tmpfs)
        await pilot.press("ctrl+r")
        await settle(pilot)
        status = main(app).status_line.text().plain
        assert "Refreshing" not in status, status
        said = toasts(app)
        assert any("the disk is full" in m for m in said), said
    reader.close()
