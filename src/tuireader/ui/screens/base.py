"""What every part of the main screen shares: its state, its panes and one way to do I/O.

The state (the view, its order and filter, the one current article) lives here as
reactives; the list title is bound to it with ``data_bind``. Disk and network work runs in
thread workers that post a :class:`Done` message back, handled on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual import on
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import get_current_worker

from tuireader.core import Reader
from tuireader.sanitize import clean_line
from tuireader.ui import data
from tuireader.ui.context import AppContext
from tuireader.ui.views import SMART_VIEWS, View, ViewKind
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.reading_pane import ReadingPane
from tuireader.ui.widgets.sidebar import Sidebar
from tuireader.ui.widgets.status import StatusLine

T = TypeVar("T")

#: The orders ``S`` cycles through; relevance only where there is a search to rank by.
ORDERS = ("newest", "oldest", "feed")
SEARCH_ORDERS = (*ORDERS, "relevance")


def one_line(error: BaseException | str) -> str:
    text = clean_line(str(error)) or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"


@dataclass
class Done(Message):
    """A thread worker finished: call ``then`` with its result, on the event loop."""

    then: Callable[[Any], None]
    result: Any


class ScreenBase(Screen[None]):
    """The main screen's state and shared helpers; the flows (feeds, reading, views, For
    you) are mixins on top of it, and ``MainScreen`` puts them together."""

    #: The view the list shows, its order and the unread-only filter (kept across restarts).
    view: reactive[View] = reactive(SMART_VIEWS[0], init=False)
    sort: reactive[str] = reactive("newest", init=False)
    unread_only: reactive[bool] = reactive(False, init=False)
    #: How many articles the view has (None while it loads).
    count: reactive[int | None] = reactive(None, init=False)
    #: The one current article: the list's cursor. Every article key acts on it. No
    #: repaint of the whole screen when it moves (every j): the list redraws its own rows.
    current_id: reactive[int | None] = reactive(None, init=False, repaint=False)
    #: The current article when it is open in the reading pane, else None.
    open_id: reactive[int | None] = reactive(None, init=False)
    #: The feeds pane is hidden (w), the list and the article wider (kept across restarts).
    sidebar_hidden: reactive[bool] = reactive(False, init=False)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.ctx = context
        self._generation = 0
        #: What u takes back (a mark-view-read or a less-like), or None.
        self._undo: Callable[[], None] | None = None

    @property
    def reader(self) -> Reader:
        """The core: the one front door for every store and network call."""
        return self.ctx.reader

    # --- the panes ---

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

    def current_article_id(self) -> int | None:
        """The current article, read from the list itself (a key may beat the message)."""
        return self.articles.current_id

    def feed_id(self) -> int | None:
        return self.view.feed_id if self.view.kind is ViewKind.FEED else None

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

    # --- the one way to do I/O ---

    def in_thread(
        self,
        job: Callable[[], T],
        then: Callable[[T], None] | None = None,
        *,
        group: str = "state",
        exclusive: bool = False,
    ) -> None:
        """Run ``job`` in a thread worker; ``then`` gets its result on the event loop.

        An exclusive group cancels the previous job of the group: its result is dropped.
        A job's error becomes a one-line notification (see ``on_worker_state_changed``).
        """

        def run() -> None:
            result = job()
            if then is not None and not get_current_worker().is_cancelled:
                self.post_message(Done(then, result))

        self.run_worker(run, thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    @on(Done)
    def _done(self, message: Done) -> None:
        message.then(message.result)

    # --- undo ---

    def set_undo(self, undo: Callable[[], None] | None) -> None:
        self._undo = undo
        self.refresh_bindings()

    def action_undo(self) -> None:
        undo, self._undo = self._undo, None
        if undo is None:
            self.notify("Nothing to undo: u takes back A (mark view read) or x (less like).")
            return
        undo()
        self.refresh_bindings()

    # --- what the flows call in each other ---

    def load_view(self, *, keep_position: bool = False) -> None:
        raise NotImplementedError

    def load_sidebar(self, first: bool = False) -> None:
        raise NotImplementedError

    def first_list_shown(self) -> None:
        raise NotImplementedError

    def show_early_sidebar(self) -> None:
        raise NotImplementedError

    def close_article(self) -> None:
        raise NotImplementedError

    def open_article(self, article_id: int, *, focus: bool = True) -> None:
        raise NotImplementedError

    def changed_read(self, ids: list[int], read: bool) -> None:
        raise NotImplementedError

    def show_view(self, view: View) -> None:
        raise NotImplementedError

    def leave_search(self) -> bool:
        raise NotImplementedError

    def refresh_open_article(self) -> None:
        raise NotImplementedError

    def after_refresh(self, last_id: int, *, automatic: bool) -> None:
        raise NotImplementedError

    def empty_message(self) -> str:
        raise NotImplementedError

    def _save_state(self) -> None:
        """Keep the view, order, filter and panes for the next start (``ViewFlow``)."""
        raise NotImplementedError

    def view_loaded(
        self,
        generation: int,
        contents: data.ViewContents,
        keep_position: bool,
        keep_index: bool = False,
    ) -> None:
        raise NotImplementedError
