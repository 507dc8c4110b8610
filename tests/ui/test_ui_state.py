"""Issue 15: one current article, the state kept across restarts, outside changes, and
what a new user tripped on (typing after /, a full disk, undo, saved searches, browser)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

from textual import events
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, Label
from textual.worker import WorkerCancelled
from uihelpers import AppFactory, build_reader, main, settle, store_entries, toasts

from feedgen import rss
from loopback import LoopbackServer
from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.ui.app import TuiReaderApp, make_app
from tuireader.ui.screens.main import MainScreen
from tuireader.ui.screens.prompts import ConfirmScreen, FormScreen, LinkPicker
from tuireader.ui.views import SMART_VIEWS, ViewKind
from tuireader.ui.widgets.search_bar import SearchBar
from tuireader.ui.widgets.status import ListTitle

Marks = dict[int, tuple[bool, bool, bool]]


def marks(reader: Reader) -> Marks:
    ids = reader.store.article_ids(reader_query())
    return {r.id: (r.read, r.starred, r.recommended) for r in reader.store.summaries(ids)}


def reader_query() -> Any:
    from tuireader.store import ArticleQuery

    return ArticleQuery()


def screen_first(app: TuiReaderApp) -> int:
    article_id = main(app).articles.current_id
    assert article_id is not None
    return article_id


def changed(before: Marks, after: Marks) -> set[int]:
    return {i for i in after if before.get(i) != after[i]}


async def check_article_keys(
    pilot: Pilot[Any], reader: Reader, opened: list[str], where: str
) -> None:
    """Every article key acts on the current article (the list's cursor), and only on it."""
    app = pilot.app
    assert isinstance(app, TuiReaderApp)
    screen = main(app)
    current = screen.articles.current_id
    assert current is not None, where
    assert screen.current_id == current, where
    # The reading pane shows the current article or nothing.
    shown = screen.reader_pane.shown
    assert shown is None or shown.article.id == current, where
    row = reader.store.summaries([current])[0]
    for key in ("s", "m", "r"):
        before = marks(reader)
        await pilot.press(key)
        await settle(pilot)
        assert changed(before, marks(reader)) == {current}, (where, key)
    await pilot.press("y")
    assert app.clipboard == row.link, where
    await pilot.press("o")
    await settle(pilot)
    assert opened[-1] == row.link, where
    feed_before = {f.id: f.full_text for f in reader.store.list_feeds()}
    await pilot.press("F")
    await settle(pilot)
    feed_after = {f.id: f.full_text for f in reader.store.list_feeds()}
    assert {i for i in feed_after if feed_after[i] != feed_before[i]} == {row.feed_id}, where
    # L, t and 1 act on the current article when it is open, else say to open it.
    await pilot.press("L")
    await settle(pilot)
    if screen.reader_pane.shown is not None:
        assert screen.reader_pane.shown.article.id == current
        if isinstance(app.screen, LinkPicker):
            await pilot.press("escape")
    else:
        assert "Press enter to read the article first" in toasts(app)[-1], where
    assert screen.articles.current_id == current, where


async def test_every_article_key_acts_on_the_one_current_article(
    reader: Reader, app_factory: AppFactory, opened: list[str]
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        # For you: open an article, then J: the pane empties, the new feed's first is current.
        screen.sidebar.select_key("for-you")
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert screen.reader_pane.shown is not None
        await pilot.press("J")
        await settle(pilot)
        assert screen.view.kind is ViewKind.FEED
        assert screen.reader_pane.shown is None and screen.has_class("-empty") is False
        await check_article_keys(pilot, reader, opened, "after J")
        await pilot.press("K")
        await settle(pilot)
        await check_article_keys(pilot, reader, opened, "after K")
        # Open, then h: back to the list, the article still open and current.
        screen.articles.focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert screen.articles.has_focus and screen.reader_pane.shown is not None
        await check_article_keys(pilot, reader, opened, "after h")
        # ... and j from there moves the current article: the pane empties.
        await pilot.press("j")
        await settle(pilot)
        assert screen.reader_pane.shown is None
        await check_article_keys(pilot, reader, opened, "after h then j")
        # A view change.
        await pilot.press("enter")
        await settle(pilot)
        screen.sidebar.select_key("unread")
        await settle(pilot)
        assert screen.reader_pane.shown is None
        screen.articles.focus()
        await pilot.press("j")
        await check_article_keys(pilot, reader, opened, "after a view change")
        # A search.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("slash", *"the", "enter")
        await settle(pilot)
        assert screen.view.kind is ViewKind.SEARCH
        await check_article_keys(pilot, reader, opened, "after a search")
        # A refresh (here: another process's change reloads the list in place).
        await pilot.press("enter")
        await settle(pilot)
        screen.articles.focus()
        current = screen.articles.current_id
        screen.reload_visible()
        await settle(pilot)
        assert screen.articles.current_id == current
        assert screen.reader_pane.shown is not None
        await check_article_keys(pilot, reader, opened, "after a refresh")


async def test_keys_typed_fast_after_slash_belong_to_the_search(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        before = marks(reader)
        # As tmux send-keys -l does: every key queued before any is handled.
        app.post_message(events.Key("slash", "/"))
        for char in "zesudado":
            app.post_message(events.Key(char, char))
        await settle(pilot)
        assert isinstance(app.screen, MainScreen), "a key opened a dialog"
        assert app.screen.query_one(SearchBar).value == "zesudado"
        assert marks(reader) == before


async def test_a_full_disk_still_shows_the_article_and_says_so_once(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        conn = reader.store.db.conn
        conn.execute("CREATE TABLE filler (x TEXT)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        try:  # fill the free room left in the last pages: now every write fails
            for n in range(100_000):
                conn.execute("INSERT INTO filler VALUES (?)", (f"{n}" * 300,))
        except sqlite3.OperationalError as error:
            assert "full" in str(error)
        reader.store.record_event("open", article_id=screen_first(app))
        try:  # and the room left in the events table's own pages
            for _ in range(100_000):
                conn.execute(
                    "INSERT INTO events (article_id, feed_id, kind, at) "
                    "SELECT article_id, feed_id, kind, at FROM events LIMIT 1"
                )
        except sqlite3.OperationalError as error:
            assert "full" in str(error)
        screen = main(app)
        for _ in range(2):
            await pilot.press("enter")
            await settle(pilot)
            shown = screen.reader_pane.shown
            assert shown is not None and shown.article.id == screen.articles.current_id
            await pilot.press("h", "j")
            await settle(pilot)
        said = [t for t in toasts(app) if "full" in t]
        assert len(said) == 1, toasts(app)
        assert said[0].startswith("Could not save the read mark"), said


async def test_view_sort_and_filter_come_back_after_a_restart(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    reader = build_reader(tmp_path / "t.db")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("J")
        await settle(pilot)
        feed_view = screen.view
        await pilot.press("S", "U")
        await settle(pilot)
        assert (screen.sort, screen.unread_only) == ("oldest", True)
        title = str(screen.query_one(ListTitle).render())
        assert "oldest first · unread only" in title
    saved = json.loads(reader.app_state_path().read_text())
    assert saved["sort"] == "oldest"
    again = app_factory(make_reader(db_path=tmp_path / "t.db", config=Config()))
    async with again.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(again)
        assert (screen.view, screen.sort, screen.unread_only) == (feed_view, "oldest", True)
        assert screen.sidebar.current_view == feed_view


async def test_s_and_u_say_where_they_do_not_apply(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key("for-you")
        await settle(pilot)
        await pilot.press("S")
        assert "For you is ranked" in toasts(app)[-1]
        await pilot.press("U")
        assert "U (unread only) applies to" in toasts(app)[-1]
        assert (screen.sort, screen.unread_only) == ("newest", False)
        await pilot.press("u")
        assert toasts(app)[-1].startswith("Nothing to undo")
        screen.sidebar.select_key("unread")
        await settle(pilot)
        await pilot.press("x")
        assert "x (less like this) works in For you" in toasts(app)[-1]


async def test_the_list_title_is_cut_with_an_ellipsis(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", *"a very long search about lighthouses and ferries", "enter")
        await settle(pilot)
        await pilot.press("U")
        await settle(pilot)
        title = screen.query_one(ListTitle)
        line = "".join(s.text for s in title.render_line(0))
        assert line.rstrip().endswith("…"), line


async def test_demo_writes_no_user_file(tmp_path: Path, app_factory: AppFactory) -> None:
    reader = build_reader(tmp_path / "t.db")
    assert reader.dirs is not None
    app = app_factory(reader, demo=True)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("S", "J")
        app.theme = "nord"
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "offline" in toasts(app)[-1]
    assert not reader.dirs.config_file.exists()
    assert not reader.app_state_path().exists()


async def test_changes_from_another_process_show_without_moving(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    reader = build_reader(tmp_path / "t.db")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(SMART_VIEWS[0].key)
        await pilot.press("j", "j")
        await settle(pilot)
        screen.check_library()  # the poll's baseline
        await settle(pilot)
        current = screen.articles.current_id
        assert current is not None
        other = make_reader(db_path=tmp_path / "t.db", config=Config())
        other.store.set_starred(current, True)
        other.store.set_read([current], True)
        other.close()
        screen.check_library()
        await settle(pilot)
        row = screen.articles.row(current)
        assert row is not None and row.starred and row.read
        assert screen.articles.current_id == current


async def test_saved_search_rename_and_delete(reader: Reader, app_factory: AppFactory) -> None:
    reader.store.save_search("ferry")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.sidebar.select_key("search-ferry")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#field-name", Input).value = "Boats"
        await pilot.press("enter")
        await settle(pilot)
        assert [(s.name, s.query) for s in reader.store.named_searches()] == [("Boats", "ferry")]
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert reader.store.named_searches() == []
        assert screen.view == SMART_VIEWS[0]


async def test_one_article_is_one_article_in_words(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    # Seen in the user trial: "Remove JSON feed and its 1 articles?".
    reader = build_reader(tmp_path / "t.db", demo=False)
    entry = ParsedEntry(title="Only one", guid="g1", link="https://one.example/1")
    reader.add_parsed_feed("https://one.example/feed", ParsedFeed("One", entries=(entry,)))
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one(Label).render())
        assert question == "Remove One and its 1 article?", question
        await pilot.press("n")
        await settle(pilot)
    # And subscribing says "1 article." too.
    http_server.add("/one.xml", rss(items=1))
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        await app.screen.run_action("add_feed")
        await settle(pilot)
        app.screen.query_one("#field-url", Input).value = http_server.url("/one.xml")
        await pilot.press("enter")
        await settle(pilot)
        said = toasts(app)
        assert "Subscribed to Harbour Gazette: 1 article." in said, said


async def test_a_feed_removed_elsewhere_takes_its_view_with_it(
    reader: Reader, app_factory: AppFactory
) -> None:
    # Seen in the user trial: `tuireader remove Pod` in another terminal while the app showed
    # Pod: the feed left the sidebar, but the list stayed on "Pod · 0 articles".
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("J", "J")
        await settle(pilot)
        feed_id = screen.view.feed_id
        assert feed_id is not None
        other = make_reader(db_path=reader.store.path)  # another process's library handle
        other.remove_feed(feed_id)
        other.close()
        screen.reload_visible()  # what the library watcher does when the file changed
        # The reload of the gone feed's list is cancelled by the first view's load.
        with contextlib.suppress(WorkerCancelled):
            await settle(pilot)
        await settle(pilot)
        assert screen.view == SMART_VIEWS[0]
        assert screen.sidebar.current_view == SMART_VIEWS[0]
        assert screen.articles.ids


async def test_search_sorts_by_relevance(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", *"ferry", "enter")
        await settle(pilot)
        await pilot.press("S", "S", "S")
        await settle(pilot)
        assert screen.sort == "relevance"
        assert screen.articles.ids == [
            i for i in reader.store.search_ids("ferry", rank=True) if i in screen.articles.ids
        ]
        assert "by relevance" in str(screen.query_one(ListTitle).render())


async def test_o_runs_the_configured_browser(tmp_path: Path) -> None:
    """``browser = "cmd %u"``: the app runs it (suspended where a terminal is there)."""
    out = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(f"import sys; open({str(out)!r}, 'w').write(sys.argv[1])\n")
    config = Config(browser=f"{sys.executable} {script} %u")
    reader = build_reader(tmp_path / "t.db", config=config)
    app = make_app(reader, tz=UTC, freeze_gc=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        row = reader.store.summaries([main(app).articles.current_id or 0])[0]
        await pilot.press("o")
        await settle(pilot)
    assert out.read_text() == row.link


async def test_new_articles_above_the_viewport_are_counted(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    from datetime import timedelta

    from uihelpers import FIXED_NOW

    from tuireader.models import ParsedEntry

    reader = build_reader(tmp_path / "t.db")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press(*"jjjjjjjjjjjjjjjjjj")
        await settle(pilot)
        screen.check_library()
        await settle(pilot)
        current, top = screen.articles.current_id, int(screen.articles.scroll_y)
        assert top > 0
        other = make_reader(db_path=tmp_path / "t.db", config=Config())
        feed = other.store.add_feed("https://new.example/feed")
        entries = tuple(
            ParsedEntry(title=f"New {n}", guid=f"n{n}", published=FIXED_NOW - timedelta(minutes=n))
            for n in range(3)
        )
        store_entries(other.store, feed.id, "New", entries)
        other.close()
        screen.check_library()
        await settle(pilot)
        assert screen.articles.current_id == current
        assert "3 new above ↑" in toasts(app)
        assert screen.count == len(screen.articles.ids)


async def test_sidebar_counts_and_untitled_failing_feeds(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    from tuireader.ui.widgets.sidebar import SidebarRow

    reader = build_reader(tmp_path / "t.db", demo=False)
    ids = [reader.store.add_feed(f"http://127.0.0.1:8765/feeds/{n}.xml").id for n in (1, 2)]
    for feed_id in ids:
        reader.store.record_failure(feed_id, "connection refused")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        lines = [
            str(option.prompt.line(20).plain)
            for option in screen.sidebar.options
            if isinstance(option.prompt, SidebarRow) and option.id and "feed-" in option.id
        ]
        assert len(set(lines)) == 2 and all(line.endswith(".xml") for line in lines), lines
        assert screen.sidebar.select_key(f"feed-{ids[0]}")
        await settle(pilot)
        assert "the feed fails (connection refused)" in screen.articles.empty_message
    row = SidebarRow(Content("The Harbour Gazette Weekly"), 7)
    assert row.line(20).plain.endswith("… 7")


async def test_periodic_refresh_fetches_due_feeds_and_skips_backed_off_ones(
    tmp_path: Path, app_factory: AppFactory, http_server: LoopbackServer
) -> None:
    feed_xml = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title>'
        b"<item><title>One</title><guid>1</guid></item></channel></rss>"
    )
    http_server.add("/due.xml", feed_xml)
    http_server.add("/failing.xml", feed_xml)
    reader = build_reader(tmp_path / "t.db", demo=False, config=Config(auto_refresh_minutes=5))
    due = reader.store.add_feed(http_server.url("/due.xml"))
    failing = reader.store.add_feed(http_server.url("/failing.xml"))
    reader.store.record_failure(failing.id, "connection refused")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert any(t.name == "auto-refresh" for t in screen._timers)
        screen.periodic_refresh()
        await settle(pilot)
    assert http_server.paths_requested() == ["/due.xml"]
    assert reader.store.get_feed(due.id).total == 1


def add_huge_article(
    reader: Reader, *, paragraphs: int = 50_000, link: bool = True, words: int = 3
) -> tuple[int, int]:
    """A feed whose newest article is long (by default 50,000 paragraphs, each with a
    link: some 7 MB of HTML), then a short one. Returns the feed and the HTML's size."""
    from datetime import timedelta

    from uihelpers import FIXED_NOW

    from tuireader.models import ParsedEntry

    html = "".join(
        f"<p>Paragraph {n}: "
        + (f"<a href='https://x.example/{n}'>link {n}</a> " if link else "")
        + "and some words to read " * words
        + "</p>"
        for n in range(paragraphs)
    )
    feed = reader.store.add_feed(f"https://huge.example/{paragraphs}-{link}-{words}")
    entries = (
        ParsedEntry(title="Huge", guid="huge", published=FIXED_NOW, content_html=html),
        ParsedEntry(
            title="Short",
            guid="short",
            published=FIXED_NOW - timedelta(hours=1),
            content_html="<p>Short.</p>",
        ),
    )
    store_entries(reader.store, feed.id, "Huge", entries)
    return feed.id, len(html)


async def test_a_huge_article_renders_in_parts_and_j_is_handled_meanwhile(
    reader: Reader, app_factory: AppFactory
) -> None:
    from textual.widgets import Markdown

    feed_id, size = add_huge_article(reader)
    assert size > 2**20
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.sidebar.select_key(f"feed-{feed_id}")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pane = screen.reader_pane
        assert pane.shown is not None and pane.shown.article.title == "Huge"
        # Its links are numbered as parts render: those the reader can have seen.
        assert pane.shown.links is None and 0 < len(pane.links) < 10_000
        assert [link.number for link in pane.links] == list(range(1, len(pane.links) + 1))
        # Only the first parts are rendered: the rest waits for the reader to get there.
        assert pane.rendering
        parts = list(pane.query(Markdown))
        assert len(parts) <= 4, len(parts)
        assert "[1]" in parts[0].source or "link 0" in parts[0].source
        # Scrolling on renders more; the end is not the end while parts remain.
        await pilot.press("space")
        await settle(pilot)
        assert not pane.at_end
        # j is handled while the article is still rendering.
        await pilot.press("j")
        await settle(pilot)
        assert pane.shown is not None and pane.shown.article.title == "Short"
        assert not pane.rendering


async def test_link_picker_moves_with_j_k_opens_by_digit_and_copies(
    reader: Reader, app_factory: AppFactory, opened: list[str]
) -> None:
    from datetime import timedelta

    from uihelpers import FIXED_NOW

    from tuireader.models import ParsedEntry

    feed = reader.store.add_feed("https://links.example/feed")
    html = "".join(f"<p><a href='https://links.example/{n}'>link {n}</a></p>" for n in range(1, 4))
    entry = ParsedEntry(
        title="Links", guid="l", published=FIXED_NOW + timedelta(minutes=1), content_html=html
    )
    store_entries(reader.store, feed.id, "Links", (entry,))
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.sidebar.select_key(f"feed-{feed.id}")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, LinkPicker)
        await pilot.press("j", "j", "k", "y")
        assert app.clipboard == "https://links.example/2"
        await pilot.press("3")
        await settle(pilot)
        assert opened[-1] == "https://links.example/3"
        assert isinstance(app.screen, MainScreen)


async def test_for_you_does_not_float_undated_or_untitled_articles(
    reader: Reader, app_factory: AppFactory
) -> None:
    from tuireader.models import ParsedEntry
    from tuireader.ui import data

    feed = reader.store.add_feed("https://bare.example/feed")
    entries = (
        ParsedEntry(title="", guid="u1", content_html="<p>No title, no date.</p>"),
        ParsedEntry(title="Undated", guid="u2", content_html="<p>No date.</p>"),
    )
    store_entries(reader.store, feed.id, "Bare", entries)
    bare = set(reader.store.article_ids(reader_query().__class__(feed_id=feed.id)))
    contents = data.for_you_contents(reader.make_for_you())
    ranked = [i for i in contents.ids if i in bare]
    assert ranked, "For you lists the new bare articles"
    # ... after every dated, titled article
    first_bare = min(contents.ids.index(i) for i in ranked)
    assert all(i in bare for i in contents.ids[first_bare:])


async def test_h_then_j_typed_fast_move_in_the_list(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot)
        opened = screen.articles.current_id
        app.post_message(events.Key("h", "h"))  # both queued before either is handled
        app.post_message(events.Key("j", "j"))
        await settle(pilot)
        assert screen.articles.has_focus
        assert screen.articles.cursor == 1 and screen.articles.current_id != opened
        assert screen.reader_pane.shown is None  # moved off the open article: not opened
