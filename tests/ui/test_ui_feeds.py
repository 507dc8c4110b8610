"""Pilot tests: feeds, refresh over loopback HTTP, search, import, welcome and errors."""

from __future__ import annotations

import gc
import re
from pathlib import Path

from textual.widgets import Input
from uihelpers import FIXED_NOW, AppFactory, build_reader, main, settle, toasts

from loopback import LoopbackServer
from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.ui.app import TuiReaderApp
from tuireader.ui.screens.welcome import WelcomeScreen
from tuireader.ui.views import ViewKind
from tuireader.ui.widgets.search_bar import SearchBar


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><link>https://x.example/{guid}</link>"
        f"<pubDate>Mon, 30 Nov 2026 0{i}:00:00 +0000</pubDate></item>"
        for i, (guid, title) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title>{body}'.encode()
        + (b"</channel></rss>")
    )


async def fill_form(app: TuiReaderApp, **values: str) -> None:
    for name, value in values.items():
        app.screen.query_one(f"#field-{name}", Input).value = value


async def test_add_feed_refresh_keeps_selection(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    reader.store.add_feed("https://placeholder.example/feed")  # no welcome screen
    http_server.add("/feed.xml", rss(("a", "First"), ("b", "Second")))
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill_form(app, url=http_server.url("/feed.xml"), folder="Loop")
        await pilot.press("enter")
        await settle(pilot)
        screen = main(app)
        assert screen.view.kind is ViewKind.FEED, toasts(app)
        feed_id = screen.view.feed_id
        assert feed_id is not None and screen.sidebar.feed(feed_id) is not None
        assert len(screen.articles.ids) == 2
        await pilot.press("j")
        selected = screen.articles.current_id
        # A new article arrives: it shows up without moving the selection.
        http_server.add("/feed.xml", rss(("a", "First"), ("b", "Second"), ("c", "Third")))
        await pilot.press("R")
        await settle(pilot)
        assert len(screen.articles.ids) == 3
        assert screen.articles.current_id == selected
        assert any("1 new" in n.message for n in app._notifications)
        # The status line keeps what the refresh cost (data saver).
        status = str(screen.status_line.render())
        body = len(rss(("a", "First"), ("b", "Second"), ("c", "Third")))
        shown = re.search(r"Last refresh: 1 feed · 1 new · (\d+) B", status)
        assert shown is not None and body <= int(shown.group(1)) < body + 1024, status
        # ctrl+r refreshes every feed; the placeholder fails and gets a mark and a reason.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.articles.current_id == selected
        failing = [f for f in reader.store.list_feeds() if f.last_error]
        assert [f.url for f in failing] == ["https://placeholder.example/feed"]
        assert screen.sidebar.select_key(f"feed-{failing[0].id}")
        await settle(pilot)
        await pilot.press("i")
        assert any(n.severity == "error" for n in app._notifications)


async def test_subscribe_error_is_one_line(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    reader = build_reader(tmp_path / "t.db")
    http_server.add("/page", b"<html><body>no feed</body></html>", content_type="text/html")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill_form(app, url=http_server.url("/page"))
        await pilot.press("enter")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "\n" not in errors[-1].message
        assert app.is_running


async def test_edit_and_remove_feed(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("J")
        await settle(pilot)
        feed_id = screen.view.feed_id
        assert feed_id is not None
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#title", Input).value = "Renamed"
        app.screen.query_one("#folder", Input).value = "Elsewhere"
        await pilot.press("enter")
        await settle(pilot)
        feed = reader.store.get_feed(feed_id)
        assert (feed.title, feed.folder) == ("Renamed", "Elsewhere")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert reader.store.get_feed(feed_id)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert feed_id not in {f.id for f in reader.store.list_feeds()}
        assert screen.view.kind is ViewKind.UNREAD


async def test_search_view_and_saved_search(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        # typed into the search field: letters that are keys elsewhere ("a" adds a feed)
        # are text here
        await pilot.press(*"cable")
        screen = main(app)
        assert screen.query_one(SearchBar).value == "cable"
        await pilot.press("tab")  # from the view (All unread) to every article
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.view.kind is ViewKind.SEARCH
        assert screen.view.within is None
        assert screen.articles.has_focus and not screen.query_one(SearchBar).display
        expected = set(reader.store.search_ids("cable", rank=False))
        assert expected and set(screen.articles.ids) == expected
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.sidebar.view("search-cable") is not None


async def test_start_up_objects_are_frozen_once_the_first_view_shows(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader, freeze_gc=True)
    gc.unfreeze()
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            assert main(app).articles.ids
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


async def test_search_field_escape_keeps_the_view(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        view, ids = screen.view, list(screen.articles.ids)
        await pilot.press("slash", *"cab")
        bar = screen.query_one(SearchBar)
        assert bar.has_focus and bar.display and bar.value == "cab"
        await pilot.press("escape")
        await settle(pilot)
        assert not bar.display and screen.articles.has_focus
        assert screen.view == view and screen.articles.ids == ids
        # the field starts empty next time
        await pilot.press("slash")
        assert bar.value == ""


async def test_import_urls_file(
    tmp_path: Path, reader: Reader, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    http_server.add("/feed.xml", rss(("a", "Imported one")))
    urls = tmp_path / "urls"
    urls.write_text(http_server.url("/feed.xml") + ' "Tech"\n')
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await pilot.pause()
        await fill_form(app, path=str(urls))
        await pilot.press("enter")
        await settle(pilot)
        feed = next(f for f in reader.store.list_feeds() if f.url == http_server.url("/feed.xml"))
        assert feed.total == 1  # imported, then refreshed in the background
        said = toasts(app)
        assert any(m.startswith("Imported 1 feed") and "feeds" not in m for m in said), said


async def test_welcome_then_demo(tmp_path: Path, app_factory: AppFactory) -> None:
    reader = build_reader(tmp_path / "t.db", demo=False)
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("d")
        await settle(pilot)
        screen = main(app)
        assert len(screen.articles.ids) == 25
        assert len(reader.store.list_feeds()) == 4


async def test_store_errors_become_notifications(tmp_path: Path, app_factory: AppFactory) -> None:
    build_reader(tmp_path / "t.db").close()
    reader = make_reader(
        db_path=tmp_path / "t.db", config=Config(), read_only=True, clock=lambda: FIXED_NOW
    )
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.is_running
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "\n" not in errors[0].message
