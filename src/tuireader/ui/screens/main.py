"""The three panes: views, the article list and the reading pane.

State (the view, sort, filter and the open article) lives here and flows down to the
widgets; the widgets send dataclass messages up. Every store call runs in a thread worker
and its result is dropped when the state it was asked for has moved on.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from tuireader.core import SubscribeError, normalise_subscription_url
from tuireader.humanize import format_bytes
from tuireader.models import ArticleSummary, FeedError, FullTextMode, RefreshOutcome
from tuireader.sanitize import clean_line, safe_link
from tuireader.store import ArticleQuery, Sort, StoreError
from tuireader.ui import data, keymap
from tuireader.ui.read_signals import ReadSignal, ReadTracker
from tuireader.ui.reading import ArticleDisplay, prepare_article
from tuireader.ui.screens.help import HelpScreen
from tuireader.ui.screens.prompts import ConfirmScreen, Field, FormScreen, LinkPicker
from tuireader.ui.screens.sync_form import open_sync_form, show_sync_status, start_sync  # [sync]
from tuireader.ui.screens.welcome import WelcomeChoice, WelcomeScreen
from tuireader.ui.timefmt import relative_date
from tuireader.ui.views import SMART_VIEWS, View, ViewKind, search_view
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.footer import KeyFooter
from tuireader.ui.widgets.reading_pane import ReadingPane
from tuireader.ui.widgets.search_bar import SearchBar
from tuireader.ui.widgets.sidebar import Sidebar, SidebarData
from tuireader.ui.widgets.status import ListTitle, RefreshProgress, StatusLine

if TYPE_CHECKING:
    from tuireader.ui.app import TuiReaderApp

#: Below this width the panes give way: the reader takes the whole screen.
NARROW_WIDTH = 100
#: Below this width the sidebar shrinks, so list titles and the article keep their room.
MEDIUM_WIDTH = 130
SORT_CYCLE = (Sort.NEWEST, Sort.OLDEST, Sort.FEED)
FEED_ACTIONS = {"refresh_feed", "remove_feed", "edit_feed", "feed_problem"}
ARTICLE_ACTIONS = {"open_browser", "toggle_read", "star", "recommend", "copy_link"}
FULL_TEXT_CYCLE = (FullTextMode.AUTO, FullTextMode.ALWAYS, FullTextMode.NEVER)
FULL_TEXT_MEANING = {
    FullTextMode.AUTO: "fetch the page when the feed sends a teaser",
    FullTextMode.ALWAYS: "always fetch the page",
    FullTextMode.NEVER: "only the feed's text",
}


def one_line(error: BaseException | str) -> str:
    text = clean_line(str(error)) or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("screen"), *keymap.link_bindings()]

    def __init__(self) -> None:
        super().__init__()
        self.view: View = SMART_VIEWS[0]
        self.sort: Sort = Sort.NEWEST
        self.unread_only = False
        self.open_id: int | None = None
        self._generation = 0
        #: What u takes back: articles a view-wide mark-read changed, or a less-like.
        self._undo: list[int] = []
        self._undo_less_like: int | None = None
        self._read_timer: Timer | None = None
        self._cancel_refresh = threading.Event()
        self._welcomed = False
        self._query: ArticleQuery | None = None
        self._had_article = False
        self._tracker = ReadTracker()
        self._focus_before_search: Widget | None = None
        self._search_pending = False
        self._has_feeds = True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notify with markup off: messages here carry feed titles, URLs and errors."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    @property
    def tui(self) -> TuiReaderApp:
        from tuireader.ui.app import TuiReaderApp

        assert isinstance(self.app, TuiReaderApp)
        return self.app

    # --- layout ---

    def compose(self) -> ComposeResult:
        app = self.tui
        with Horizontal(id="panes"):
            yield Sidebar(id="sidebar")
            with Vertical(id="list-pane"):
                yield ListTitle(id="list-title")
                yield SearchBar(id="search")
                yield ArticleList(app.reader.store.summaries, app.now, tz=app.tz, id="articles")
            yield ReadingPane(tz=app.tz, id="reader")
        yield StatusLine(id="status")
        yield KeyFooter()

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def articles(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def reader_pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        self._tracker = ReadTracker(self.tui.monotonic)
        self.articles.focus()
        self._update_title(None)
        # The list first: its ids are what the first paint waits for.
        self.load_view()
        self.load_sidebar(first=True)
        show_sync_status(self, self.status_line.synced)  # [sync]

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "narrow")
        self.set_class(NARROW_WIDTH <= event.size.width < MEDIUM_WIDTH, "medium")

    def on_unmount(self) -> None:
        self._cancel_refresh.set()
        signal = self._tracker.leave()
        if signal is not None:
            # The app is closing: one small write now, or the signal would be lost.
            self.tui.reader.store.record_event(signal[1], article_id=signal[0])

    # --- loading ---

    @work(thread=True, exclusive=True, group="sidebar", exit_on_error=False)
    def load_sidebar(self, first: bool = False) -> None:
        app = self.tui
        loaded = data.load_sidebar(app.reader.store, app.now(), app.tz)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._sidebar_loaded, loaded, first)

    def _sidebar_loaded(self, loaded: SidebarData, first: bool) -> None:
        self.sidebar.show(loaded)
        if first:
            if self.sidebar.current_view is None:
                with self.sidebar.prevent(Sidebar.OptionHighlighted):
                    self.sidebar.select_key(self.view.key)
            if not loaded.feeds and not self._welcomed:
                self._welcomed = True
                self.app.push_screen(WelcomeScreen(), self._welcome_chosen)
            elif self.tui.reader.config.refresh_on_start and not self.tui.demo:
                self.refresh_feeds(None)
        self._has_feeds = bool(loaded.feeds)
        self.articles.empty_message = self._empty_message()

    def _empty_message(self) -> str:
        """What the article list says when it has no rows."""
        if not self._has_feeds:
            return "No feeds yet: press a to add one, I to import, or run tuireader demo."
        if self.view.kind is ViewKind.SEARCH and self.view.search:
            return f"No articles match {clean_line(self.view.search)!r}."
        return "No articles here."

    def load_view(self, *, keep_position: bool = False) -> None:
        if not keep_position:
            self._generation += 1
        keep = list(self.articles.ids) if keep_position else None
        head = 0 if keep_position else self.articles.first_window_rows()
        self._load_view_ids(self.view, self._generation, keep, head)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _load_view_ids(
        self, view: View, generation: int, keep: list[int] | None, head: int
    ) -> None:
        app = self.tui
        contents = data.load_view(
            app.reader.store,
            app.for_you,
            view,
            sort=self.sort,
            unread_only=self.unread_only,
            now=app.now(),
            tz=app.tz,
            keep=keep,
            head=head,
        )
        keep_position = keep is not None
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._view_loaded, generation, contents, keep_position)

    def _view_loaded(
        self,
        generation: int,
        contents: data.ViewContents,
        keep_position: bool,
        keep_index: bool = False,
    ) -> None:
        if generation != self._generation:
            return  # the user moved on to another view meanwhile
        self._query = contents.query
        index = self.articles.cursor
        self.articles.empty_message = self._empty_message()
        self.articles.set_ids(
            contents.ids, keep_position=keep_position, rows=contents.rows, notes=contents.notes
        )
        if keep_index and contents.ids:
            self.articles.cursor = min(index, len(contents.ids) - 1)
        self._update_title(len(contents.ids))
        self._search_done()
        self.tui.first_view_shown()

    def _update_title(self, count: int | None) -> None:
        order: str | None = None
        hint = ""
        if self.view.kind is ViewKind.FOR_YOU:
            order, hint = "ranked for you", "x: less like this"
        elif self.view.kind is ViewKind.RECOMMENDED and self.sort is Sort.NEWEST:
            order = "newest recommended first"
        self.query_one(ListTitle).show(
            self.view.label,
            count,
            self.sort,
            self.unread_only and self.view.honours_unread_filter,
            order_label=order,
            hint=hint,
        )

    def show_view(self, view: View) -> None:
        if view == self.view and self._query is not None:
            return
        self.view = view
        self.load_view()
        self._update_title(None)
        self.refresh_bindings()

    @on(Sidebar.ViewChosen)
    def _view_chosen(self, event: Sidebar.ViewChosen) -> None:
        self.show_view(event.view)
        if event.enter:
            self.articles.focus()

    # --- reading ---

    @on(ArticleList.Opened)
    def _article_opened(self, event: ArticleList.Opened) -> None:
        self.open_article(event.article_id)

    @on(ArticleList.Highlighted)
    def _article_highlighted(self, event: ArticleList.Highlighted) -> None:
        # Bindings depend only on whether there is an article: redrawing the footer on
        # every move would cost a full footer recompose per key press.
        has_article = event.article_id is not None
        if has_article != self._had_article:
            self._had_article = has_article
            self.refresh_bindings()

    def open_article(self, article_id: int, *, focus: bool = True) -> None:
        self.open_id = article_id
        self.articles.select_id(article_id)
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self.workers.cancel_group(self, "page")
        self._record(self._tracker.start(article_id))
        self.add_class("reading")
        if focus:
            self.reader_pane.focus()
        self._load_article(article_id, self.tui.reader.config.mark_read == "on_open")

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def _load_article(self, article_id: int, mark_read: bool) -> None:
        store = self.tui.reader.store
        display = prepare_article(self.tui.reader, article_id)
        if display is None:
            raise StoreError("that article is gone (its feed was removed?)")
        store.open_article(article_id, mark_read=mark_read)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._article_loaded, display, mark_read)

    def _article_loaded(self, display: ArticleDisplay, marked: bool) -> None:
        if display.article.id != self.open_id:
            return
        if display.wants_page and self.tui.demo:
            display = replace(
                display, wants_page=False, note="the feed's text (the demo is offline)"
            )
        display = replace(display, why=self._why(display.article.id))
        self.reader_pane.show(display)
        self._tracker.loaded(display.article.id, display.words)
        if display.wants_page:
            self._fetch_page(display.article.id)
        self.refresh_bindings()
        config = self.tui.reader.config
        if marked and not display.article.read:
            self._changed_read([display.article.id], True)
        elif config.mark_read == "after_delay" and not display.article.read:
            article_id = display.article.id
            self._read_timer = self.set_timer(
                max(config.mark_read_delay, 0.01), lambda: self._mark_read_later(article_id)
            )

    def _why(self, article_id: int) -> str:
        """Why For you listed this article ("" outside For you)."""
        if self.view.kind is not ViewKind.FOR_YOU:
            return ""
        note = self.articles.note(article_id)
        return note.why if note is not None else ""

    def _mark_read_later(self, article_id: int) -> None:
        if self.open_id == article_id:
            self._set_read([article_id], True, opened=True)

    @on(ReadingPane.Step)
    def _step(self, event: ReadingPane.Step) -> None:
        index = self.articles.cursor + event.step
        if 0 <= index < len(self.articles.ids):
            self.open_article(self.articles.ids[index])

    @on(ReadingPane.LinkClicked)
    def _link_clicked(self, event: ReadingPane.LinkClicked) -> None:
        self.tui.open_external(event.url)

    # --- read signals ---

    @on(ReadingPane.Scrolled)
    def _scrolled(self, event: ReadingPane.Scrolled) -> None:
        self._record(self._tracker.scrolled(event.article_id, at_end=event.at_end))

    def _leave_article(self) -> None:
        self._record(self._tracker.leave())

    def _record(self, signal: ReadSignal | None) -> None:
        if signal is not None:
            self._record_event(*signal)

    @work(thread=True, group="state", exit_on_error=False)
    def _record_event(self, article_id: int, kind: str) -> None:
        self.tui.reader.store.record_event(kind, article_id=article_id)

    # --- full text ---

    @work(exclusive=True, group="page", exit_on_error=False)
    async def _fetch_page(self, article_id: int) -> None:
        """Fetch the open article's page; the teaser stays on screen until it arrives."""
        reader = self.tui.reader
        try:
            full = await reader.fetch_full_text(article_id)
        except FeedError as error:
            if self.open_id == article_id:
                self.reader_pane.set_note(f"couldn't fetch the page: {one_line(error)}")
            return
        if self.open_id != article_id:
            return  # the reader moved on: drop it
        if full.bytes_downloaded:
            self.status_line.page_fetched(full.bytes_downloaded)
        size = format_bytes(full.bytes_downloaded)
        if not full.markdown:
            reason = one_line(full.error or "no article on the page")
            self.reader_pane.set_note(f"couldn't fetch the page: {reason}, showing the feed's text")
            return
        display = await asyncio.to_thread(prepare_article, reader, article_id)
        if display is None or self.open_id != article_id:
            return
        note = f"full text from the page · {size} · t shows the feed's text"
        await self.reader_pane.replace_body(replace(display, note=note, why=self._why(article_id)))
        self._tracker.loaded(article_id, display.words)

    # --- state changes ---

    def _current(self) -> ArticleSummary | None:
        article_id = self.articles.current_id
        return self.articles.row(article_id) if article_id is not None else None

    @work(thread=True, group="state", exit_on_error=False)
    def _set_read(self, ids: list[int], read: bool, opened: bool = False) -> None:
        changed = self.tui.reader.store.set_read(ids, read, opened=opened)
        self.app.call_from_thread(self._changed_read, changed, read)

    def _changed_read(self, ids: list[int], read: bool) -> None:
        for article_id in ids:
            self.articles.patch_row(article_id, read=read)
        shown = self.reader_pane.shown
        if shown is not None and shown.article.id in ids:
            self.reader_pane.shown = replace(shown, article=replace(shown.article, read=read))
        self.load_sidebar()
        show_sync_status(self, self.status_line.synced)  # [sync] queued changes

    @work(thread=True, group="state", exit_on_error=False)
    def _set_flag(self, article_id: int, flag: str, value: bool) -> None:
        store = self.tui.reader.store
        if flag == "starred":
            store.set_starred(article_id, value)
        else:
            store.set_recommended(article_id, value)
        self.app.call_from_thread(self._flag_changed, article_id, flag, value)

    def _flag_changed(self, article_id: int, flag: str, value: bool) -> None:
        self.articles.patch_row(article_id, **{flag: value})
        shown = self.reader_pane.shown
        if shown is not None and shown.article.id == article_id:
            article = replace(shown.article, **{flag: value})  # type: ignore[arg-type]
            if flag == "recommended":
                article = replace(article, recommend_count=int(value))
            self.reader_pane.refresh_header(replace(shown, article=article))
        self.load_sidebar()
        show_sync_status(self, self.status_line.synced)  # [sync] queued changes

    # --- refresh ---

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_feeds(self, feed_ids: list[int] | None) -> None:
        progress = RefreshProgress()
        status = self.status_line
        self._cancel_refresh = threading.Event()

        def started(total: int) -> None:
            progress.total = total
            status.refreshing(progress)

        def outcome(result: RefreshOutcome) -> None:
            progress.add(result)
            status.refreshing(progress)
            if result.new_articles:
                self.load_view(keep_position=True)
                self.load_sidebar()

        try:
            await self.tui.reader.refresh(
                feed_ids, on_outcome=outcome, on_start=started, cancel=self._cancel_refresh
            )
        finally:
            status.refreshed(progress)
        self.load_sidebar()
        if len(progress.failed) == 1 and progress.total == 1:
            failed = progress.failed[0]
            self.notify(one_line(f"{failed.url}: {failed.reason}"), severity="error")
        else:
            self.notify(
                progress.summary(), severity="warning" if progress.failed else "information"
            )

    # --- actions: moving ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in FEED_ACTIONS:
            return True  # outside a feed they say what they need (see _needs_feed)
        if action in ARTICLE_ACTIONS:
            return True if self.articles.current_id is not None else None
        if action in ("open_link", "links"):
            return True if self.reader_pane.shown is not None else None
        if action == "save_search":
            return self.view.kind is ViewKind.SEARCH
        if action == "undo":
            return True if self._undo or self._undo_less_like is not None else None
        if action == "less_like":
            return True if self.view.kind is ViewKind.FOR_YOU and self._current() else None
        if action == "toggle_text":
            return True if self.reader_pane.shown is not None else None
        if action == "full_text_mode":
            return True if self._mode_feed_id() is not None else None
        return True

    def action_back(self) -> None:
        if self.has_class("reading") and (self.has_class("narrow") or self.reader_pane.has_focus):
            self.remove_class("reading")
            self._leave_article()
            self.articles.focus()
        elif self.articles.has_focus:
            self.sidebar.focus()
        elif self.reader_pane.has_focus:
            self.articles.focus()

    def action_page_down(self) -> None:
        pane = self.reader_pane
        if pane.shown is None or pane.shown.article.id != self.articles.current_id:
            if self.articles.current_id is not None:
                self.open_article(self.articles.current_id)
        elif pane.at_end:
            self.action_next_unread()
        else:
            pane.page_down()

    def action_page_up(self) -> None:
        self.reader_pane.page_up()

    def action_next_feed(self) -> None:
        self._step_feed(1)

    def action_previous_feed(self) -> None:
        self._step_feed(-1)

    def _step_feed(self, step: int) -> None:
        """J/K: show the next/previous feed; from the reader, back to that feed's list.

        As in newsboat, moving to another feed leaves the article: the reading pane empties
        and the list of the new feed takes the keys, so enter opens from it at once.
        """
        if not self.sidebar.step_feed(step):
            self.notify("No more feeds that way." if self._has_feeds else "No feeds yet.")
            return
        if self.has_class("reading") or self.reader_pane.has_focus:
            self._close_article()
            self.articles.focus()

    def _close_article(self) -> None:
        self.remove_class("reading")
        self._leave_article()
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self.workers.cancel_group(self, "page")
        self.open_id = None
        self.reader_pane.show(None)
        self.refresh_bindings()

    def action_next_unread(self) -> None:
        self._find_unread(self.articles.ids, self.articles.cursor, 1, self._generation)

    def action_previous_unread(self) -> None:
        self._find_unread(self.articles.ids, self.articles.cursor, -1, self._generation)

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _find_unread(self, ids: list[int], start: int, step: int, generation: int) -> None:
        found = data.find_unread(self.tui.reader.store, ids, start, step)
        self.app.call_from_thread(self._unread_found, ids, found, generation)

    def _unread_found(self, ids: list[int], index: int | None, generation: int) -> None:
        if generation != self._generation:
            return
        if index is None:
            self.notify("No more unread articles in this view.")
            return
        self.open_article(ids[index], focus=self.reader_pane.has_focus or self.has_class("narrow"))

    # --- actions: the article ---

    def action_open_browser(self) -> None:
        row = self._current()
        link = safe_link(row.link) if row else None
        if link is None:
            self.notify("This article has no web link.", severity="warning")
            return
        self.tui.open_external(link)

    def action_toggle_read(self) -> None:
        row = self._current()
        if row is not None:
            self._set_read([row.id], not row.read)

    def action_star(self) -> None:
        row = self._current()
        if row is not None:
            self._set_flag(row.id, "starred", not row.starred)

    def action_recommend(self) -> None:
        row = self._current()
        if row is not None:
            self._set_flag(row.id, "recommended", not row.recommended)

    def action_less_like(self) -> None:
        row = self._current()
        if row is not None and self.view.kind is ViewKind.FOR_YOU:
            self._less_like(row.id, self._generation)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _less_like(self, article_id: int, generation: int) -> None:
        """Record "less like this" and re-rank at once, the cursor staying on its row."""
        app = self.tui
        app.for_you.less_like(article_id)
        contents = data.for_you_contents(app.for_you)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._less_liked, generation, contents, article_id)

    def _less_liked(self, generation: int, contents: data.ViewContents, article_id: int) -> None:
        self._view_loaded(generation, contents, keep_position=True, keep_index=True)
        self._undo, self._undo_less_like = [], article_id
        self.refresh_bindings()
        self.notify("Fewer like that one from now on. Press u to undo.", timeout=4)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _take_back_less_like(self, article_id: int, generation: int) -> None:
        app = self.tui
        app.for_you.undo_less_like(article_id)
        contents = data.for_you_contents(app.for_you)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._less_like_taken_back, generation, contents)

    def _less_like_taken_back(self, generation: int, contents: data.ViewContents) -> None:
        if self.view.kind is ViewKind.FOR_YOU:
            self._view_loaded(generation, contents, keep_position=True, keep_index=True)
        self.notify("Taken back: that article is suggested again.", timeout=3)

    def action_toggle_text(self) -> None:
        shown = self.reader_pane.shown
        if shown is None:
            return
        self.workers.cancel_group(self, "page")
        self._show_text(shown.article.id, prefer_page=not shown.from_page)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def _show_text(self, article_id: int, prefer_page: bool) -> None:
        display = prepare_article(self.tui.reader, article_id, prefer_page=prefer_page)
        if display is not None and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._text_ready, display, prefer_page)

    def _text_ready(self, display: ArticleDisplay, prefer_page: bool) -> None:
        if display.article.id != self.open_id:
            return
        display = replace(display, why=self._why(display.article.id))
        if prefer_page and not display.from_page:
            # Asked for the page and none is cached: fetch it, whatever the feed's mode.
            display = replace(display, note="the feed's text · fetching the page…")
            self.reader_pane.show(display)
            self._fetch_page(display.article.id)
            return
        self.reader_pane.show(display)

    def _mode_feed_id(self) -> int | None:
        shown = self.reader_pane.shown
        if shown is not None:
            return shown.article.feed_id
        row = self._current()
        return row.feed_id if row is not None else self._feed_id()

    def action_full_text_mode(self) -> None:
        feed_id = self._mode_feed_id()
        if feed_id is not None:
            self._cycle_full_text_mode(feed_id)

    @work(thread=True, group="state", exit_on_error=False)
    def _cycle_full_text_mode(self, feed_id: int) -> None:
        store = self.tui.reader.store
        mode = store.get_feed(feed_id).full_text
        new = FULL_TEXT_CYCLE[(FULL_TEXT_CYCLE.index(mode) + 1) % len(FULL_TEXT_CYCLE)]
        feed = store.update_feed(feed_id, full_text=new)
        self.app.call_from_thread(self._full_text_mode_changed, feed_id, new, feed.title)

    def _full_text_mode_changed(self, feed_id: int, mode: FullTextMode, title: str) -> None:
        self.notify(
            f"Full text for {clean_line(title)[:50]}: {mode.value} ({FULL_TEXT_MEANING[mode]})."
        )
        shown = self.reader_pane.shown
        if (
            mode is FullTextMode.ALWAYS
            and shown is not None
            and shown.article.feed_id == feed_id
            and not shown.from_page
        ):
            self._fetch_page(shown.article.id)

    def action_copy_link(self) -> None:
        row = self._current()
        link = safe_link(row.link) if row else None
        if link is None:
            self.notify("This article has no web link.", severity="warning")
            return
        self.app.copy_to_clipboard(link)
        self.notify(Text.assemble("Copied ", (link, "underline")).plain)

    def action_open_link(self, number: int) -> None:
        shown = self.reader_pane.shown
        if shown is None:
            return
        link = next((link for link in shown.links if link.number == int(number)), None)
        if link is None:
            self.notify(f"This article has no link {number}.", severity="warning")
            return
        self.tui.open_external(link.url)

    def action_links(self) -> None:
        shown = self.reader_pane.shown
        if shown is None:
            return
        if not shown.links:
            self.notify("This article has no links.")
            return

        def chosen(url: str | None) -> None:
            if url:
                self.tui.open_external(url)

        self.app.push_screen(LinkPicker(shown.links), chosen)

    # --- actions: the view ---

    def action_mark_view_read(self) -> None:
        if self._query is not None:
            self._mark_query_read(self._query)

    @work(thread=True, group="state", exit_on_error=False)
    def _mark_query_read(self, query: ArticleQuery) -> None:
        changed = self.tui.reader.store.mark_query_read(query)
        self.app.call_from_thread(self._view_marked, changed)

    def _view_marked(self, changed: list[int]) -> None:
        self._changed_read(changed, True)
        if changed:
            self._undo, self._undo_less_like = changed, None
            self.refresh_bindings()
            self.notify(f"Marked {len(changed)} read. Press u to undo.")
        else:
            self.notify("Nothing unread here.")

    def action_undo(self) -> None:
        if self._undo_less_like is not None:
            article_id, self._undo_less_like = self._undo_less_like, None
            self._take_back_less_like(article_id, self._generation)
            self.refresh_bindings()
            return
        if self._undo:
            ids, self._undo = self._undo, []
            self._set_read(ids, False)
            self.notify(f"Marked {len(ids)} unread again.")
            self.refresh_bindings()

    def action_toggle_unread(self) -> None:
        self.unread_only = not self.unread_only
        self.load_view()
        self._update_title(None)

    def action_cycle_sort(self) -> None:
        self.sort = SORT_CYCLE[(SORT_CYCLE.index(self.sort) + 1) % len(SORT_CYCLE)]
        self.load_view()
        self._update_title(None)

    def action_search(self) -> None:
        if self.has_class("narrow") and self.has_class("reading"):
            self.remove_class("reading")  # the field lives in the list pane
            self._leave_article()
        self._focus_before_search = self.focused
        self._show_search_bar(True)
        self.query_one(SearchBar).start()

    def _show_search_bar(self, show: bool) -> None:
        """The search field takes the list title's line while it is open."""
        # Set on the two widgets, not as a screen class: a class on the screen restyles
        # every widget of it.
        self.query_one(SearchBar).display = show
        self.query_one(ListTitle).display = not show

    @on(SearchBar.Closed)
    def _search_closed(self, event: SearchBar.Closed) -> None:
        view = search_view(event.text) if event.text else None
        if view is None or (view == self.view and self._query is not None):
            self._search_pending = False
            self._show_search_bar(False)
            before = self._focus_before_search if view is None else None
            (before if before is not None and before.is_attached else self.articles).focus()
            return
        # The field stays until the results are in, so the screen is laid out once for
        # both (see _view_loaded), not once to close it and again for the results.
        self._search_pending = True
        self.show_view(view)

    def _search_done(self) -> None:
        if self._search_pending:
            self._search_pending = False
            self._show_search_bar(False)
            self.articles.focus()

    def action_save_search(self) -> None:
        if self.view.kind is ViewKind.SEARCH and self.view.search:
            self._save_search(self.view.search)

    @work(thread=True, group="state", exit_on_error=False)
    def _save_search(self, text: str) -> None:
        self.tui.reader.store.save_search(text)
        self.app.call_from_thread(self.notify, f"Saved the search {text!r}.")
        self.app.call_from_thread(self.load_sidebar)

    # --- actions: feeds ---

    def _feed_id(self) -> int | None:
        return self.view.feed_id if self.view.kind is ViewKind.FEED else None

    def _needs_feed(self, what: str) -> None:
        """One line saying why a feed key did nothing here."""
        self.notify(f"Select a feed to {what} (J/K move between feeds).", timeout=4)

    def action_refresh_feed(self) -> None:
        if self.tui.demo:
            self.notify("The demo feeds live offline; refresh is off in the demo.")
            return
        feed_id = self._feed_id()
        if feed_id is not None:
            self.refresh_feeds([feed_id])
        elif self.view.kind is ViewKind.FOLDER:
            ids = self.sidebar.feed_ids_in(self.view.folder)
            if ids:
                self.refresh_feeds(ids)
        else:
            self.notify("R refreshes the selected feed or folder; ctrl+r refreshes all.")

    def action_refresh_all(self) -> None:
        if self.tui.demo:
            self.notify("The demo feeds live offline; refresh is off in the demo.")
            return
        self._sync_or_refresh()  # [sync] with an account, ctrl+r syncs

    def _sync_or_refresh(self) -> None:  # [sync]
        def synced() -> None:
            self.load_view(keep_position=True)
            self.load_sidebar()

        start_sync(self, refresh=self.refresh_feeds, show=self.status_line.synced, done=synced)

    def action_sync_setup(self) -> None:  # [sync] the command palette's "Sync with a server"
        open_sync_form(self, lambda _account: self._sync_or_refresh())

    def action_feed_problem(self) -> None:
        feed_id = self._feed_id()
        feed = self.sidebar.feed(feed_id) if feed_id is not None else None
        if feed is None:
            self._needs_feed("see how it fetches (⚠ marks failing ones)")
            return
        title = clean_line(feed.title)[:60] or clean_line(feed.url)
        if feed.last_error:
            self.notify(one_line(feed.last_error), title=title, severity="error", timeout=10)
        elif feed.last_fetched is None:
            self.notify(f"{title} has not been fetched yet: R fetches it.")
        else:
            when = relative_date(feed.last_fetched, self.tui.now(), self.tui.tz)
            when += " ago" if when[:-1].isdigit() else ""  # "3h ago", "yesterday"
            self.notify(f"{title} is fine: last fetched {when}.")

    def action_add_feed(self) -> None:
        def entered(result: dict[str, str] | None) -> None:
            if result and result["url"]:
                self._subscribe(result["url"], result["folder"] or None)

        self.app.push_screen(
            FormScreen(
                "Add a feed",
                [
                    Field("url", "Feed or site address", placeholder="https://example.org/"),
                    Field("folder", "Folder (optional)"),
                ],
                submit="Add",
            ),
            entered,
        )

    @work(group="subscribe", exit_on_error=False)
    async def _subscribe(self, url: str, folder: str | None) -> None:
        try:
            normalise_subscription_url(url)
        except SubscribeError as error:
            self.notify(one_line(error), severity="error")
            return
        self.notify(f"Looking for a feed at {clean_line(url)}…", timeout=3)
        try:
            result = await self.tui.reader.subscribe(url, folder=folder)
        except SubscribeError as error:
            self.notify(one_line(error), severity="error")
            return
        title = clean_line(result.feed.title)
        self.notify(f"Subscribed to {title}: {result.new_articles} articles.")
        self.view = View(ViewKind.FEED, title, feed_id=result.feed.id)
        self.load_view()
        self.load_sidebar()

    def action_remove_feed(self) -> None:
        feed_id = self._feed_id()
        feed = self.sidebar.feed(feed_id) if feed_id is not None else None
        if feed is None:
            self._needs_feed("remove")
            return
        question = Text("Remove ")
        question.append(clean_line(feed.title), style="bold")
        question.append(f" and its {feed.total} articles?")

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove_feed(feed.id)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, group="state", exit_on_error=False)
    def _remove_feed(self, feed_id: int) -> None:
        feed = self.tui.reader.remove_feed(feed_id)  # [sync] Reader: on the server too
        self.app.call_from_thread(self._feed_removed, clean_line(feed.title))

    def _feed_removed(self, title: str) -> None:
        self.notify(f"Removed {title}.")
        self.reader_pane.show(None)
        self.open_id = None
        self.view = SMART_VIEWS[0]
        self.sidebar.select_key(self.view.key)
        self.load_view()
        self.load_sidebar()

    def action_edit_feed(self) -> None:
        feed_id = self._feed_id()
        feed = self.sidebar.feed(feed_id) if feed_id is not None else None
        if feed is None:
            self._needs_feed("edit")
            return

        def entered(result: dict[str, str] | None) -> None:
            if result is not None:
                self._edit_feed(feed.id, result["title"], result["folder"])

        self.app.push_screen(
            FormScreen(
                "Edit feed",
                [
                    Field("title", "Title (empty: the feed's own)", clean_line(feed.title)),
                    Field("folder", "Folder (empty: none)", clean_line(feed.folder)),
                ],
                submit="Save",
            ),
            entered,
        )

    @work(thread=True, group="state", exit_on_error=False)
    def _edit_feed(self, feed_id: int, title: str, folder: str) -> None:
        self.tui.reader.update_feed(feed_id, title=title, folder=folder)  # [sync] server too
        self.app.call_from_thread(self.load_sidebar)

    def action_import_file(self) -> None:
        def entered(result: dict[str, str] | None) -> None:
            if result and result["path"]:
                self._import(Path(result["path"]).expanduser())

        self.app.push_screen(
            FormScreen(
                "Import subscriptions",
                [Field("path", "Path of an OPML file or a newsboat urls file")],
                submit="Import",
            ),
            entered,
        )

    @work(thread=True, group="import", exit_on_error=False)
    def _import(self, path: Path) -> None:
        try:
            report = self.tui.reader.import_subscriptions(path.read_bytes())
        except OSError as error:
            raise StoreError(f"{path}: {error.strerror or error}") from error
        line = f"Imported {len(report.added)} feeds"
        if report.already:
            line += f", {len(report.already)} already there"
        if report.problems:
            line += f", {len(report.problems)} problems: {report.problems[0]}"
        self.app.call_from_thread(self.notify, one_line(line))
        self.app.call_from_thread(self.load_sidebar)
        if report.added and not self.tui.demo:
            self.app.call_from_thread(self.refresh_feeds, None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.tui.keymap))

    # --- welcome ---

    def _welcome_chosen(self, choice: WelcomeChoice | None) -> None:
        if choice == "add":
            self.action_add_feed()
        elif choice == "import":
            self.action_import_file()
        elif choice == "demo":
            self._load_demo()
        elif choice == "sync":  # [sync]
            self.action_sync_setup()
        elif choice == "quit":
            self.app.exit(0)

    @work(thread=True, group="import", exit_on_error=False)
    def _load_demo(self) -> None:
        feeds = self.tui.reader.load_demo()
        self.app.call_from_thread(self.notify, f"Loaded the demo library: {len(feeds)} feeds.")
        self.app.call_from_thread(self.load_sidebar)
        self.app.call_from_thread(self.load_view)

    # --- errors ---

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """No worker error ever ends the app: it becomes a one-line notification."""
        if event.state is WorkerState.ERROR and event.worker.group == "view":
            self._search_done()
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify(one_line(event.worker.error), severity="error", timeout=8)
