"""The main screen: the three panes (views, the article list, the reading pane).

Its state (see ``ScreenBase``) flows down to the widgets; the widgets send dataclass
messages up. The flows live beside the pane they serve: ``feedflow`` (the sidebar, feeds,
refreshes, welcome), ``viewflow`` (the list: views, order, search, outside changes),
``readflow`` (the current article and its marks) on ``textflow`` (its text and links),
and ``foryouflow``.
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.geometry import Size
from textual.worker import Worker, WorkerState

from tuireader.store import StoreError
from tuireader.ui import data, keymap
from tuireader.ui.context import AppContext
from tuireader.ui.read_signals import ReadTracker
from tuireader.ui.screens.base import ScreenBase, one_line
from tuireader.ui.screens.commandflow import CommandFlow, command_rows  # [keys]
from tuireader.ui.screens.feedflow import FeedFlow
from tuireader.ui.screens.foryouflow import ForYouFlow
from tuireader.ui.screens.help import HelpScreen
from tuireader.ui.screens.mediaflow import MediaFlow  # [media]
from tuireader.ui.screens.motionflow import MotionFlow  # [keys]
from tuireader.ui.screens.readflow import ReadFlow
from tuireader.ui.screens.sync_form import show_sync_status  # [sync]
from tuireader.ui.screens.tagflow import TagFlow
from tuireader.ui.screens.viewflow import ViewFlow
from tuireader.ui.views import ViewKind
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.footer import EPISODE_KEYS, KeyFooter
from tuireader.ui.widgets.reading_pane import ReadingPane
from tuireader.ui.widgets.search_bar import SearchLine
from tuireader.ui.widgets.sidebar import Sidebar
from tuireader.ui.widgets.status import ListTitle, StatusLine

#: Below this width the panes give way: the reader takes the whole screen.
NARROW_WIDTH = 100
#: Below this width the sidebar shrinks, so list titles and the article keep their room.
MEDIUM_WIDTH = 130
#: The first paint waits this long at most for the first list (``hold_first_paint``).
FIRST_PAINT_HOLD_S = 1.0
#: Keys that act on the current article: shown only when there is one.
ARTICLE_ACTIONS = {"open_browser", "toggle_read", "star", "recommend", "copy_link"}
ARTICLE_ACTIONS |= {"download", "play"}  # [media]


class MainScreen(
    CommandFlow,
    MotionFlow,
    FeedFlow,
    ReadFlow,
    ViewFlow,
    ForYouFlow,
    MediaFlow,
    TagFlow,
    ScreenBase,
):
    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("screen"), *keymap.link_bindings()]

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self._tracker = ReadTracker(context.monotonic)
        self._first_list_shown = False
        self._paint_hold: contextlib.ExitStack | None = None
        #: The layout asked for while the first paint was held, done when it ends.
        self._held_layout: Size | None = None
        self.restore_state()

    def compose(self) -> ComposeResult:
        ctx = self.ctx
        with Horizontal(id="panes"):
            yield Sidebar(id="sidebar")
            with Vertical(id="list-pane"):
                yield ListTitle(id="list-title").data_bind(
                    MainScreen.view,
                    MainScreen.sort,
                    MainScreen.unread_only,
                    MainScreen.count,
                    selected=MainScreen.selected_count,  # [keys] v
                )
                yield SearchLine(id="search")
                yield ArticleList(ctx.reader.summaries, ctx.now, tz=ctx.tz, id="articles")
            yield ReadingPane(tz=ctx.tz, id="reader")
        yield StatusLine(id="status")
        yield KeyFooter(held=True)  # its keys come after the first list: first_list_shown

    def on_mount(self) -> None:
        self.hold_first_paint()
        self.articles.focus()
        # The list first: its ids are what the first paint waits for.
        self.load_view()
        self.load_sidebar(first=True)
        self.watch_library()
        show_sync_status(self, self.status_line.synced)  # [sync]
        self.status_line.images_mode(self.reader.config.images)  # [media]

    def first_list_shown(self) -> None:
        """The first list's result is in (``ViewFlow.view_loaded``, or its error).

        What else the first screen shows waits until the list has painted: the sidebar
        (500 feeds) and the footer's keys (a dozen widgets) each cost the event loop a
        layout, tens of ms that would come before the first article titles otherwise.
        """
        if not self._first_list_shown:
            self._first_list_shown = True
            self.release_first_paint()
            self.call_after_refresh(self._after_first_list)
            self.ctx.first_view_shown()  # (the app's: the collector, the warm-up)

    def hold_first_paint(self) -> None:
        """No layout or paint until the first list is in (or FIRST_PAINT_HOLD_S passed).

        Until then Textual lays out and renders the whole screen three times (the screen
        resumed, then resized twice), 15-30 ms of the event loop each for a screen with no
        articles yet, while the list's worker waits for the GIL to read the ids: the first
        paint with the articles came that much later. Held, it is laid out once.
        """
        hold = contextlib.ExitStack()
        hold.enter_context(self.app.batch_update())
        self._paint_hold = hold
        self.set_timer(FIRST_PAINT_HOLD_S, self.release_first_paint)

    def release_first_paint(self) -> None:
        """End the hold after the current handler (the first list's, which sets its rows)."""
        if self._paint_hold is not None:
            self.call_later(self._end_paint_hold)

    def _end_paint_hold(self) -> None:
        hold, self._paint_hold = self._paint_hold, None
        if hold is None:
            return
        hold.close()
        size, self._held_layout = self._held_layout, None
        if size is not None and self.is_attached:
            self._refresh_layout(size)

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        """Textual's layout of the screen: while the first paint is held, only noted."""
        if self._paint_hold is not None:
            self._held_layout = size or self._held_layout or self.app.size
            return
        super()._refresh_layout(size, scroll)

    def _after_first_list(self) -> None:
        self.show_early_sidebar()
        self.query_one(KeyFooter).release()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "narrow")
        self.set_class(NARROW_WIDTH <= event.size.width < MEDIUM_WIDTH, "medium")

    def on_unmount(self) -> None:
        hold, self._paint_hold = self._paint_hold, None
        if hold is not None:
            hold.close()
        self.stop_refresh()
        self.stop_downloads()  # [media] the .part file stays: D resumes
        self.background_runs.stop()  # [commands] quitting waits for none of them
        signal = self._tracker.leave()
        if signal is not None:
            # The app is closing: one small write now, or the signal would be lost. On a
            # full disk it is lost: the read marks that failed were said already.
            with contextlib.suppress(StoreError):
                self.reader.record_event(signal[1], article_id=signal[0])

    # --- which keys do something here ---

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ARTICLE_ACTIONS:
            return True if self.current_article_id() is not None else None
        if action == "save_search":
            return self.view.kind is ViewKind.SEARCH
        return True

    def footer_hides(self) -> frozenset[str]:
        """The episode keys are in the footer only on an article with enclosures (or while
        a download runs); they work everywhere, and the help lists them."""
        lists = self.query(ArticleList)  # none yet while the screen composes
        row = lists.first().row(self.current_id) if lists and self.current_id is not None else None
        if self._downloading or (row is not None and row.enclosures):
            return frozenset()
        return EPISODE_KEYS

    # --- moving ---

    def action_back(self) -> None:
        """Focus moves now (``set_focus``), not after keys already typed: ``h`` then ``j``
        typed fast moves in the list, as it would typed slowly."""
        if self.has_class("reading") and (self.has_class("narrow") or self.reader_pane.has_focus):
            # Back to the list; the article stays the current one (and open in wide mode).
            self.remove_class("reading")
            if self.has_class("narrow"):
                self.close_article()
            self.set_focus(self.articles)
        elif self.articles.has_focus and not self.sidebar_hidden:
            self.set_focus(self.sidebar)
        elif self.reader_pane.has_focus:
            self.set_focus(self.articles)

    def action_page_down(self) -> None:
        pane = self.reader_pane
        if self.shown_current() is None:
            if self.current_article_id() is not None:
                self.open_article(self.articles.current_id or 0)
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
        self.close_article()
        self.set_focus(self.articles)

    def action_next_unread(self) -> None:
        self._find_unread(1)

    def action_previous_unread(self) -> None:
        self._find_unread(-1)

    def _find_unread(self, step: int) -> None:
        ids, start, generation, reader = (
            self.articles.ids,
            self.articles.cursor,
            self._generation,
            self.reader,
        )

        def found(index: int | None) -> None:
            if generation != self._generation:
                return
            if index is None:
                self.unread_elsewhere(step)  # [keys] on into the next feed
                return
            focus = self.reader_pane.has_focus or self.has_class("narrow")
            self.open_article(ids[index], focus=focus)

        self.in_thread(
            lambda: data.find_unread(reader, ids, start, step), found, group="find", exclusive=True
        )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.ctx.keymap, command_rows(self.user_commands)))

    def action_show_stats(self) -> None:
        from tuireader.ui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.reader))

    # --- errors ---

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """No worker error ever ends the app: it becomes a one-line notification."""
        if event.state is WorkerState.ERROR and event.worker.group == "view":
            self.search_done()
            self.first_list_shown()
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify(one_line(event.worker.error), severity="error", timeout=8)
