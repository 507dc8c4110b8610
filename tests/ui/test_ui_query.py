"""Pilot tests: the query language in the app (issue 10). ``/`` in the view or everywhere,
parse errors in the bar, matches highlighted in the list and the reading pane, ``n``/``N``
between them, query feeds and tags in the sidebar, tagging from the app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.widgets import Input, Static
from uihelpers import HOSTILE_TITLE, AppFactory, add_hostile_feed, main, settle, store_entries

from tuireader.core import Reader
from tuireader.models import ParsedEntry
from tuireader.store import ArticleQuery
from tuireader.ui import data
from tuireader.ui.screens.main import MainScreen
from tuireader.ui.screens.prompts import FormScreen
from tuireader.ui.screens.tagflow import TagScreen, TagSuggester
from tuireader.ui.views import SMART_VIEWS, View, ViewKind, saved_query, search_view
from tuireader.ui.widgets.pane_find import WRAPPED_FORWARD
from tuireader.ui.widgets.search_bar import SearchBar, SearchLine
from tuireader.ui.widgets.sidebar import Sidebar, SidebarRow
from tuireader.ui.widgets.status import ListTitle

#: Paragraphs of the long article, and those that hold the word searched for.
PARAGRAPHS = 80
NEEDLES = (2, 40, 75)


def add_long_article(reader: Reader) -> int:
    """A feed with one long article: "needle" in three paragraphs far apart."""
    feed = reader.store.add_feed("https://long.example/feed", folder="Zz")
    paragraphs = [
        f"<p>Paragraph {n}: "
        + ("the needle is here, " if n in NEEDLES else "")
        + "plain words that fill a line or two of the reading pane so it scrolls.</p>"
        for n in range(PARAGRAPHS)
    ]
    entry = ParsedEntry(
        title="A haystack",
        guid="hay",
        link="https://long.example/hay",
        published=datetime(2026, 11, 30, 11, 30, tzinfo=UTC),
        content_html="".join(paragraphs),
    )
    store_entries(reader.store, feed.id, "Haystacks", (entry,))
    return feed.id


def feed_view(reader: Reader, title: str) -> View:
    feed = next(f for f in reader.feeds() if f.title == title)
    return View(ViewKind.FEED, feed.title, feed_id=feed.id)


def sidebar_lines(sidebar: Sidebar) -> list[str]:
    """Each row as the sidebar draws it, 28 cells wide."""
    rows = [sidebar.get_option_at_index(i).prompt for i in range(sidebar.option_count)]
    return [str(row.line(28)) for row in rows if isinstance(row, SidebarRow)]


def toasts(screen: MainScreen) -> list[str]:
    return [n.message for n in screen.app._notifications]


# --- / in the view, tab for everywhere ------------------------------------------------------


async def test_search_looks_in_the_view_and_tab_widens_it(
    reader: Reader, app_factory: AppFactory
) -> None:
    gazette = feed_view(reader, "The Harbour Gazette")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(gazette.key)
        await settle(pilot)
        await pilot.press("slash", *"ferry")
        scope = screen.query_one("#search-scope", Static)
        assert "in The Harbour" in str(scope.content)
        await pilot.press("enter")
        await settle(pilot)
        in_feed = reader.view_search_ids("ferry", within=ArticleQuery(feed_id=gazette.feed_id))
        assert in_feed and screen.articles.ids == in_feed
        assert screen.view == search_view("ferry", gazette)
        title = str(screen.query_one(ListTitle).render())
        assert "Search: ferry · in The Harbour Gazette" in title
        # / again edits the search; tab widens it to every article, and says so.
        await pilot.press("slash")
        bar = screen.query_one(SearchBar)
        assert bar.value == "ferry"
        await pilot.press("tab")
        assert "in all articles" in str(scope.content)
        await pilot.press("enter")
        await settle(pilot)
        everywhere = reader.view_search_ids("ferry")
        assert screen.view.within is None and screen.articles.ids == everywhere
        assert set(in_feed) < set(everywhere)
        assert "in all articles" in str(screen.query_one(ListTitle).render())
        # From the wide search, / keeps it wide; tab narrows back to the feed.
        await pilot.press("slash", "tab", "enter")
        await settle(pilot)
        assert screen.view.within == gazette and screen.articles.ids == in_feed


async def test_results_show_as_typed_and_escape_goes_back(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.live_search_delay = 0.001  # the moment after the last key: at once here
        view, ids = screen.view, list(screen.articles.ids)
        await pilot.press("slash", *"ferr")
        await settle(pilot)
        bar = screen.query_one(SearchBar)
        assert bar.has_focus and bar.value == "ferr"
        assert screen.view == search_view("ferr", view)
        expected = reader.view_search_ids("ferr", within=ArticleQuery(unread_only=True))
        assert expected and screen.articles.ids == expected  # the last word as a prefix
        # A query that does not parse (yet) leaves the results as they were.
        await pilot.press("space", "(")
        await settle(pilot)
        assert screen.view == search_view("ferr", view)
        await pilot.press("backspace", "backspace", "tab")  # and tab looks everywhere
        await settle(pilot)
        assert screen.view == search_view("ferr") and bar.has_focus
        # escape: back to the view the search started from
        await pilot.press("escape")
        await settle(pilot)
        assert screen.view == view and screen.articles.ids == ids


async def test_escape_in_the_results_after_enter_leaves_the_search(
    reader: Reader, app_factory: AppFactory
) -> None:
    # Seen in the user trial: after / ferry enter, escape (and escape again) stayed in
    # the search; only another view in the sidebar got out of it.
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        view = screen.view
        await pilot.press("slash", *"ferry", "enter")
        await settle(pilot)
        assert screen.view == search_view("ferry", view) and screen.articles.has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert screen.view == view and screen.articles.has_focus
        # Elsewhere escape is back as before: the list hands the focus to the feeds pane.
        await pilot.press("escape")
        await settle(pilot)
        assert screen.view == view and screen.sidebar.has_focus


async def test_search_uses_the_query_language_inside_the_view(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        # All unread: read one ferry article, then search for is:read ones there.
        ferry = reader.view_search_ids("ferry")
        reader.set_read(ferry[:1], True)
        screen.reload_visible()
        await settle(pilot)
        await pilot.press("slash", *"ferry -title:winter", "enter")
        await settle(pilot)
        expected = reader.view_search_ids(
            "ferry -title:winter", within=ArticleQuery(unread_only=True)
        )
        assert screen.articles.ids == expected
        assert ferry[0] not in expected
        summaries = reader.summaries(expected)
        assert all("winter" not in s.title.lower() and not s.read for s in summaries)


async def test_a_query_that_does_not_parse_is_one_line_at_its_column(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", *"ferry is:sunk")
        problem = screen.query_one("#search-problem", Static)
        assert problem.display
        line = str(problem.content)
        bar = screen.query_one(SearchBar)
        scope_width = screen.query_one("#search-scope", Static).outer_size.width
        # The caret stands under the "i" of "is:" (column 7 of the query), the reason
        # beside it.
        assert "^" in line and line.index("^") == scope_width + 6, repr(line)
        assert "is: takes one of unread" in line
        # Where the pane is too narrow for both, the reason names the column.
        await pilot.resize_terminal(140, 40)
        await pilot.press("backspace", "k")
        line = str(problem.content)
        assert line.startswith("column 7: is: takes one of unread, read, starred"), line
        await settle(pilot)
        # What was listed as typed (while the query still parsed) stays; enter changes
        # nothing while it does not parse.
        view, ids = screen.view, list(screen.articles.ids)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert bar.has_focus and screen.query_one(SearchLine).display
        assert screen.view == view and screen.articles.ids == ids
        # Fixed, it searches; the problem line goes.
        for _ in "sunk":
            await pilot.press("backspace")
        await pilot.press(*"unread")
        assert not problem.display
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view.kind is ViewKind.SEARCH and screen.articles.has_focus


async def test_every_input_typed_in_the_bar_is_safe(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        for typed in ('"', "(", ")", "-", "title:", "[b]x[/b] OR", "age:<9999999d", "a" * 1200):
            await pilot.press("slash")
            screen.query_one(SearchBar).value = typed
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen), typed


async def test_relevance_order_in_a_scoped_search(reader: Reader, app_factory: AppFactory) -> None:
    podcasts = View(ViewKind.FOLDER, "Podcasts", folder="Podcasts")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(podcasts.key)
        await settle(pilot)
        await pilot.press("slash", *"ferry", "enter")
        await settle(pilot)
        await pilot.press("S", "S", "S")
        await settle(pilot)
        assert screen.sort == "relevance"
        within = ArticleQuery(folder="Podcasts")
        assert screen.articles.ids == reader.view_search_ids("ferry", within=within, relevance=True)
        assert sorted(screen.articles.ids) == sorted(reader.view_search_ids("ferry", within=within))


# --- highlights ---------------------------------------------------------------------------


async def test_matches_are_highlighted_in_the_list_titles(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", "tab", *"title:ferr", "enter")  # a prefix while typing
        await settle(pilot)
        articles = screen.articles
        style = articles.get_component_rich_style("article-list--match")
        for article_id in articles.ids:
            row = articles.row(article_id)
            assert row is not None
            line = articles.title_line(row, 80)
            marked = [line.plain[s.start : s.end] for s in line.spans if s.style == style]
            assert marked and all(word.lower().startswith("ferr") for word in marked), marked
        # The article's header too (its title).
        await pilot.press("enter")
        await settle(pilot)
        pane = screen.reader_pane
        assert pane.shown is not None
        header = pane.header_text(pane.shown)
        pane_style = pane.get_component_rich_style("find--match")
        marked = [header.plain[s.start : s.end] for s in header.spans if s.style == pane_style]
        assert marked and all(word.lower().startswith("ferr") for word in marked), marked
        # Out of the search, no highlight.
        screen.show_view(SMART_VIEWS[0])
        await settle(pilot)
        row = articles.row(articles.ids[0])
        assert row is not None
        assert not [s for s in articles.title_line(row, 80).spans if s.style == style]


async def test_a_hostile_title_is_highlighted_as_plain_text(
    reader: Reader, app_factory: AppFactory
) -> None:
    add_hostile_feed(reader)
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", "tab", *"title:click", "enter")
        await settle(pilot)
        assert len(screen.articles.ids) == 1
        rendered = screen.articles.render_line(0).text
        assert HOSTILE_TITLE in rendered
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # the title's click did not quit


async def test_n_and_shift_n_move_between_matches_in_the_article(
    reader: Reader, app_factory: AppFactory
) -> None:
    add_long_article(reader)
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", *"needle", "enter")
        await settle(pilot)
        assert len(screen.articles.ids) == 1
        await pilot.press("enter")
        await settle(pilot)
        pane = screen.reader_pane
        pane.focus()
        await settle(pilot)
        assert pane.searching and pane.scroll_y == 0
        seen: list[str] = []
        for _ in NEEDLES:
            await pilot.press("n")
            await settle(pilot)
            match = pane._current
            assert match is not None
            seen.append(match.original.plain[: match.original.plain.index(":")])
            # The match is on screen.
            y = pane._match_y(match)
            assert pane.scroll_y <= y < pane.scroll_y + pane.scrollable_content_region.height
        assert seen == [f"Paragraph {n}" for n in NEEDLES]
        assert pane.scroll_y > 0
        # At the last one, n wraps to the first, with a note.
        await pilot.press("n")
        await settle(pilot)
        assert pane._current is not None and pane._current.original.plain.startswith(
            f"Paragraph {NEEDLES[0]}:"
        )
        assert toasts(screen)[-1] == WRAPPED_FORWARD
        # N goes back, wrapping to the last one.
        await pilot.press("N")
        await settle(pilot)
        assert pane._current is not None and pane._current.original.plain.startswith(
            f"Paragraph {NEEDLES[-1]}:"
        )
        # The match under n/N has a style of its own; the others share one.
        current = pane.get_visual_style("find--current")
        others = pane.get_visual_style("find--match")
        drawn = pane._current.target.content  # type: ignore[attr-defined]
        styles = {drawn.plain[s.start : s.end]: s.style for s in drawn.spans}
        assert styles["needle"] == current and current != others


async def test_n_without_a_search_is_next_unread(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot)
        first = screen.open_id
        screen.reader_pane.focus()
        await pilot.press("n")
        await settle(pilot)
        assert screen.open_id is not None and screen.open_id != first
        assert not screen.reader_pane.searching


# --- the sidebar: query feeds and tags ------------------------------------------------------


async def test_sidebar_lists_query_feeds_and_tags_with_unread_counts(
    reader: Reader, app_factory: AppFactory
) -> None:
    reader.store.add_saved_search("Ferries", "ferry")
    reader.store.add_saved_search("Broken", "is:sunk")
    gazette = feed_view(reader, "The Harbour Gazette")
    assert gazette.feed_id is not None
    reader.store.tag_feed(gazette.feed_id, "local")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        sidebar = screen.sidebar
        lines = sidebar_lines(sidebar)
        ferries = reader.store.count_query("ferry")
        assert any(line.startswith("⌕ Ferries") and line.endswith(str(ferries)) for line in lines)
        assert any("⌕ Broken" in line and line.startswith("⚠") for line in lines)
        local = reader.store.count_query('tag:"local"')
        assert any(line.startswith("# local") and line.endswith(str(local)) for line in lines)
        # The tag is a view: its articles.
        assert sidebar.select_key("tag-local")
        await settle(pilot)
        assert screen.view.kind is ViewKind.TAG
        assert set(screen.articles.ids) == set(reader.view_search_ids('tag:"local"'))
        # Reading one lowers both counts.
        reader.set_read(reader.view_search_ids("ferry")[:1], True)
        screen.load_sidebar()
        await settle(pilot)
        lines = sidebar_lines(sidebar)
        assert any(
            line.startswith("⌕ Ferries") and line.endswith(str(ferries - 1)) for line in lines
        )


async def test_edit_a_saved_search_query_and_name(reader: Reader, app_factory: AppFactory) -> None:
    reader.store.add_saved_search("Boats", "ferry")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.sidebar.select_key("search-ferry")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-query", Input).value = "ferry is:sunk"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form  # refused, with the reason
        assert "column 7" in str(form.query_one("#form-problem").render())
        # Seen in the user trial: a query emptied by mistake was saved, and matched everything.
        form.query_one("#field-query", Input).value = "  "
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert "needs a query" in str(form.query_one("#form-problem").render())
        form.query_one("#field-query", Input).value = "ferry -title:winter"
        form.query_one("#field-name", Input).value = "Ferries"
        await pilot.press("enter")
        await settle(pilot)
        saved = [(s.name, s.query) for s in reader.saved_searches()]
        assert saved == [("Ferries", "ferry -title:winter")]
        assert screen.view.search == "ferry -title:winter"
        # A saved search means what it says: no prefix, as its count in the sidebar.
        expected = reader.view_search_ids("ferry -title:winter", prefix_last=False)
        assert screen.articles.ids == expected
        assert screen.sidebar.select_key("search-ferry -title:winter")


async def test_save_a_scoped_search_keeps_its_scope_where_the_language_can(
    reader: Reader, app_factory: AppFactory
) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key("folder-Podcasts")
        await settle(pilot)
        await pilot.press("slash", *"ferry OR seagrass", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        query = '(ferry OR seagrass) folder:"Podcasts"'
        assert reader.store.saved_searches() == [query]
        assert saved_query(screen.view) == query
        assert sorted(reader.view_search_ids(query)) == sorted(screen.articles.ids)


async def test_two_saved_searches_with_one_query_do_not_stop_the_app(
    reader: Reader, app_factory: AppFactory
) -> None:
    # Seen in the user trial: `searches add Boats ferry` beside 'Unread ferries: ferry' and
    # the app crashed at every start (DuplicateID: both were the sidebar option search-ferry).
    # A library an older tuireader left that way opens, showing the query once.
    reader.store.add_saved_search("Unread ferries", "ferry")
    with reader.store.db.write() as conn:
        conn.execute("INSERT INTO saved_searches (name, query) VALUES ('Boats', 'ferry')")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        lines = sidebar_lines(screen.sidebar)
        assert [line for line in lines if line.startswith("⌕")] == [
            line for line in lines if line.startswith("⌕ Unread ferries")
        ], lines
        # ctrl+s on the same query saves nothing new (it would have been a third).
        await pilot.press("slash", *"ferry", "tab", "enter")  # tab: all articles
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert reader.store.saved_searches() == ["ferry", "ferry"]
        assert app.is_running


# --- tags from the app ----------------------------------------------------------------------


async def test_tag_and_untag_the_current_article(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        article = screen.articles.current_id
        assert article is not None
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TagScreen)
        await pilot.press(*"later, to share", "enter")
        await settle(pilot)
        assert reader.article_tags(article) == ["later", "to share"]
        assert toasts(screen)[-1] == "Tagged the article: +later +to share"
        assert screen.sidebar.view("tag-later") is not None
        # T again shows them; taking one out of the line untags it.
        await pilot.press("T")
        await settle(pilot)
        field = app.screen.query_one("#tags", Input)
        assert field.value == "later, to share, "
        field.value = "later"
        await pilot.press("enter")
        await settle(pilot)
        assert reader.article_tags(article) == ["later"]
        assert toasts(screen)[-1] == "Tagged the article: -to share"
        # escape changes nothing
        await pilot.press("T")
        await settle(pilot)
        app.screen.query_one("#tags", Input).value = ""
        await pilot.press("escape")
        await settle(pilot)
        assert reader.article_tags(article) == ["later"]


async def test_tag_a_feed_from_the_sidebar(reader: Reader, app_factory: AppFactory) -> None:
    gazette = feed_view(reader, "The Harbour Gazette")
    assert gazette.feed_id is not None
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.sidebar.select_key(gazette.key)
        screen.sidebar.focus()
        await settle(pilot)
        await pilot.press("T", *"local", "enter")
        await settle(pilot)
        assert reader.feed_tags(gazette.feed_id) == ["local"]
        assert reader.article_tags(screen.articles.ids[0]) == []
        assert screen.sidebar.select_key("tag-local")
        await settle(pilot)
        gazette_ids = reader.article_ids(ArticleQuery(feed_id=gazette.feed_id))
        assert sorted(screen.articles.ids) == sorted(gazette_ids)


async def test_tag_names_complete() -> None:
    suggester = TagSuggester(["later", "Local", "news"])
    assert await suggester.get_suggestion("la") == "later"
    assert await suggester.get_suggestion("later, lo") == "later, Local"
    assert await suggester.get_suggestion("later, la") is None  # taken already
    assert await suggester.get_suggestion("later, ") is None


def test_a_scoped_search_view_comes_back_after_a_restart() -> None:
    from dataclasses import asdict

    from tuireader.ui.screens.viewflow import _view_from

    gazette = View(ViewKind.FEED, "The Harbour Gazette", feed_id=1)
    for view in (
        search_view("ferry", gazette),
        search_view("ferry"),
        View(ViewKind.TAG, "Tag: later", tag="later"),
    ):
        assert _view_from(asdict(view)) == view
    raw = {"kind": "search", "search": "x", "typed": True, "within": {"kind": "nope"}}
    assert _view_from(raw) == search_view("x")


async def test_a_search_lists_its_first_matches_and_says_there_are_more(
    reader: Reader, app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "SEARCH_LIMIT", 3)  # 500 in the app: the demo has fewer
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", "tab", *"the", "enter")
        await settle(pilot)
        every = reader.view_search_ids("the")
        assert len(every) > 3 and screen.articles.ids == every[:3]
        assert "The first 3 matches in this order are listed" in toasts(screen)[-1]
        # S "by relevance" ranks the listed ones.
        await pilot.press("S", "S", "S")
        await settle(pilot)
        assert sorted(screen.articles.ids) == sorted(every[:3])
        assert screen.articles.ids == reader.rank_search_ids("the", every[:3])


async def test_d_in_a_typed_search_never_deletes_the_saved_one(
    reader: Reader, app_factory: AppFactory
) -> None:
    reader.store.save_search("ferry")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", "tab", *"ferry", "enter")
        await settle(pilot)
        assert screen.view == search_view("ferry")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no question asked
        assert reader.store.saved_searches() == ["ferry"]


async def test_query_feed_counts_are_counted_one_at_a_time(
    reader: Reader, app_factory: AppFactory
) -> None:
    reader.store.add_saved_search("Ferries", "ferry")
    app = app_factory(reader)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        before = reader.store.count_query("ferry")
        reader.set_read(reader.view_search_ids("ferry")[:1], True)
        # Three changes in a row (articles read one after the other): one count runs,
        # one more is owed, none stacks up.
        for _ in range(3):
            screen.count_queries()  # as each load_sidebar() after a change does
        assert screen._counting and screen._count_again
        counting = [w for w in app.workers if w.group == "sidebar-counts" and not w.is_finished]
        assert len(counting) == 1
        await settle(pilot)
        assert not screen._counting and not screen._count_again
        lines = sidebar_lines(screen.sidebar)
        assert any(
            line.startswith("⌕ Ferries") and line.endswith(str(before - 1)) for line in lines
        )


async def test_a_hostile_tag_name_stays_text(reader: Reader, app_factory: AppFactory) -> None:
    app = app_factory(reader)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = main(app)
        article = screen.articles.current_id
        assert article is not None
        await pilot.press("T")
        await settle(pilot)
        app.screen.query_one("#tags", Input).value = "[@click=app.quit]x[/], \x1b[2Jboo"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert reader.article_tags(article) == ["[@click=app.quit]x[/]", "boo"]  # no escape
        lines = sidebar_lines(screen.sidebar)
        assert any(line.startswith("# [@click=app.quit]x[/]") for line in lines), lines
        assert not any("\x1b" in line for line in lines)
