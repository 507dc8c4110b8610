"""The list side of the main screen: which view, in which order, searches, and reloads.

Also keeps the view, order and filter across restarts, and notices when another process
(a cron ``tuireader refresh``, a second app) changed the library.
"""

from __future__ import annotations

from dataclasses import asdict

from textual import on
from textual.timer import Timer

from tuireader.sanitize import clean_line
from tuireader.store import ArticleQuery
from tuireader.ui import data
from tuireader.ui.highlight import search_terms
from tuireader.ui.screens.base import ORDERS, SEARCH_ORDERS, ScreenBase
from tuireader.ui.views import SMART_VIEWS, View, ViewKind, saved_query, search_scope, search_view
from tuireader.ui.widgets.search_bar import SearchBar, SearchLine
from tuireader.ui.widgets.sidebar import Sidebar
from tuireader.ui.widgets.status import ListTitle

#: Seconds after the last key typed in the search line before its results show.
LIVE_SEARCH_DELAY = 0.15
#: Seconds between checks for changes other processes made to the library.
CHANGE_POLL_SECONDS = 2.0


class ViewFlow(ScreenBase):
    _query: ArticleQuery | None = None
    #: The view the last search started from, and where the open search bar looks.
    _search_origin: View | None = None
    _search_scope: View | None = None
    _view_before_search: View | None = None
    _live_timer: Timer | None = None
    #: Seconds after the last key before results show as typed (tests set it tiny).
    live_search_delay = LIVE_SEARCH_DELAY
    _search_pending = False
    _has_feeds = True
    _restoring = False
    _data_version: int | None = None
    #: What u takes back after A: the articles it marked read.
    _undo_read: list[int] | None = None

    # --- loading ---

    def load_view(self, *, keep_position: bool = False) -> None:
        if not keep_position:
            self._generation += 1
            self.count = None
        keep = list(self.articles.ids) if keep_position else None
        head = 0 if keep_position else self.articles.first_window_rows()
        generation, view, sort, unread_only = (
            self._generation,
            self.view,
            self.sort,
            self.unread_only,
        )
        ctx = self.ctx

        def job() -> data.ViewContents:
            return data.load_view(
                ctx.reader,
                ctx.make_for_you,
                view,
                sort=sort,
                unread_only=unread_only,
                now=ctx.now(),
                tz=ctx.tz,
                keep=keep,
                head=head,
            )

        self.in_thread(
            job,
            lambda contents: self.view_loaded(generation, contents, keep is not None),
            group="view",
            exclusive=True,
        )

    def view_loaded(
        self,
        generation: int,
        contents: data.ViewContents,
        keep_position: bool,
        keep_index: bool = False,
    ) -> None:
        self.first_list_shown()  # (after this handler: it waits for the next refresh)
        if generation != self._generation:
            return  # the user moved on to another view meanwhile
        self._query = contents.query
        index = self.articles.cursor
        self.articles.empty_message = self.empty_message()
        new_above = self.articles.set_ids(
            contents.ids, keep_position=keep_position, rows=contents.rows, notes=contents.notes
        )
        if keep_index and contents.ids:
            self.articles.cursor = min(index, len(contents.ids) - 1)
        self.count = len(contents.ids)
        self.show_matches()
        if contents.more and self._search_pending:
            self.notify(
                f"The first {data.SEARCH_LIMIT:,} matches in this order are listed:"
                " more words narrow the search.",
                timeout=5,
            )
        if new_above:
            self.notify(f"{new_above} new above ↑", timeout=4)
        self.search_done()
        self.ctx.first_view_shown()

    def empty_message(self) -> str:
        """What the article list says when it has no rows."""
        if not self._has_feeds:
            return "No feeds yet: press a to add one, I to import, or run tuireader demo."
        if self.view.kind is ViewKind.SEARCH and self.view.search:
            where = self.view.within.label if self.view.within is not None else "all articles"
            hint = " (/ then tab searches all articles)" if self.view.within is not None else ""
            return f"No articles match {clean_line(self.view.search)!r} in {where}.{hint}"
        if self.view.kind is ViewKind.FEED and self.view.feed_id is not None:
            feed = self.sidebar.feed(self.view.feed_id)
            if feed is not None and feed.last_error and not feed.total:
                return f"No articles: the feed fails ({clean_line(feed.last_error)[:120]})."
            if feed is not None and feed.last_fetched is None:
                return "No articles yet: R fetches this feed."
        if self.unread_only and self.view.honours_unread_filter:
            return "No unread articles here (U shows all)."
        return "No articles here."

    def show_view(self, view: View) -> None:
        if view == self.view and self._query is not None:
            return
        self.view = view
        if self.sort == "relevance" and view.kind is not ViewKind.SEARCH:
            self.sort = "newest"
        self.close_article()
        self.load_view()
        self.refresh_bindings()

    @on(Sidebar.ViewChosen)
    def _view_chosen(self, event: Sidebar.ViewChosen) -> None:
        if event.view.kind is ViewKind.SEARCH:
            self._search_origin = None  # a saved search: it was started from no view
        self.show_view(event.view)
        if event.enter:
            self.articles.focus()

    # --- order and filter ---

    def action_toggle_unread(self) -> None:
        if not self.view.honours_unread_filter:
            self.notify(
                f"{self.view.label} has its own rule; U (unread only) applies to feeds, "
                "folders, searches and Today.",
                timeout=5,
            )
            return
        self.unread_only = not self.unread_only
        self.load_view()

    def action_cycle_sort(self) -> None:
        if self.view.kind is ViewKind.FOR_YOU:
            self.notify("For you is ranked for you; S sorts the other views.", timeout=4)
            return
        orders = SEARCH_ORDERS if self.view.kind is ViewKind.SEARCH else ORDERS
        here = orders.index(self.sort) if self.sort in orders else -1
        self.sort = orders[(here + 1) % len(orders)]
        self.load_view()

    # --- kept across restarts ---

    def restore_state(self) -> None:
        """The view, order and filter of the last session (read before the first paint)."""
        state = self.reader.load_app_state()
        view = _view_from(state.get("view"))
        if view is not None:
            self.view = view
        sort = state.get("sort")
        if sort in SEARCH_ORDERS and (sort != "relevance" or self.view.kind is ViewKind.SEARCH):
            self.sort = sort
        self.unread_only = state.get("unread_only") is True
        self.sidebar_hidden = state.get("sidebar_hidden") is True

    def watch_view(self) -> None:
        self._save_state()

    def watch_sort(self) -> None:
        self._save_state()

    def watch_unread_only(self) -> None:
        self._save_state()

    def _save_state(self) -> None:
        if not self.is_mounted:
            return
        state = {
            "view": asdict(self.view),
            "sort": self.sort,
            "unread_only": self.unread_only,
            "sidebar_hidden": self.sidebar_hidden,
        }
        reader = self.reader
        self.in_thread(lambda: reader.save_app_state(state), group="app-state", exclusive=True)

    # --- changes made by other processes ---

    def watch_library(self) -> None:
        self.set_interval(CHANGE_POLL_SECONDS, self.check_library, name="library-changes")

    def check_library(self) -> None:
        """Ask SQLite (cheaply) whether another process changed the file; reload if so."""
        reader = self.reader
        self.in_thread(reader.data_version, self._library_version, group="poll", exclusive=True)

    def _library_version(self, version: int) -> None:
        changed = self._data_version is not None and version != self._data_version
        self._data_version = version
        if changed:
            self.reload_visible()

    def reload_visible(self) -> None:
        """Show what changed without moving: rows' marks, counts, the list and its title."""
        self.articles.reload_rows()
        self.load_sidebar()
        if self.view.kind is not ViewKind.FOR_YOU:
            self.load_view(keep_position=True)
        self.refresh_open_article()

    # --- search ---

    def action_search(self) -> None:
        if self.has_class("narrow") and self.has_class("reading"):
            self.remove_class("reading")  # the field lives in the list pane
            self.close_article()
        self._focus_before_search = self.focused
        self._view_before_search = self.view
        self._show_search_bar(True)
        bar = self.query_one(SearchBar)
        searching = self.view.kind is ViewKind.SEARCH
        if not searching:
            self._search_origin = search_scope(self.view)
        # In a search, / edits it, in its scope; tab still narrows a search widened from
        # a view back to that view. Elsewhere it starts empty, in the view.
        scope = (self.view.within or self._search_origin) if searching else self._search_origin
        self._search_scope = scope
        text = self.view.search or "" if searching else ""
        bar.start(scope.label if scope is not None else "", text)
        if searching and self.view.within is None and scope is not None:
            bar.action_toggle_scope()
        # Focus now, not after the queued keys: what is typed fast after / is the search.
        self.set_focus(bar)

    def leave_search(self) -> bool:
        """escape in a typed search's list (after enter): back to the view it started
        from, as escape in the search line does; False where escape means back."""
        before = self._view_before_search
        if (
            self.view.kind is not ViewKind.SEARCH
            or not self.view.typed
            or not self.articles.has_focus
            or before is None
            or before == self.view
        ):
            return False
        self.show_view(before)
        return True

    def _show_search_bar(self, show: bool) -> None:
        """The search field takes the list title's line while it is open."""
        self.query_one(SearchLine).display = show
        self.query_one(SearchBar).display = show
        self.query_one(ListTitle).display = not show

    @on(SearchBar.Typed)
    def _search_typed(self, event: SearchBar.Typed) -> None:
        """Results as you type: a moment after the last key, so a word typed fast is
        one search, not one per letter (and a stale one's results are dropped)."""
        if self._live_timer is not None:
            self._live_timer.stop()
        if not event.valid:
            return
        text, everywhere = event.text.strip(), event.everywhere
        self._live_timer = self.set_timer(
            self.live_search_delay, lambda: self._search_live(text, everywhere)
        )

    def _search_live(self, text: str, everywhere: bool) -> None:
        if not self.query_one(SearchLine).display or self._search_pending:
            return
        if not text:
            view = self._view_before_search
        else:
            view = search_view(text, None if everywhere else self._search_scope)
        if view is not None and view != self.view:
            self.show_view(view)

    @on(SearchBar.Closed)
    def _search_closed(self, event: SearchBar.Closed) -> None:
        if self._live_timer is not None:
            self._live_timer.stop()
        within = None if event.everywhere else self._search_scope
        view = search_view(event.text, within) if event.text else None
        if view is None and self._view_before_search not in (None, self.view):
            # Escape after results came as typed: back to where the search started.
            self.show_view(self._view_before_search)
        if view is None or (view == self.view and self._query is not None):
            self._search_pending = False
            self._show_search_bar(False)
            before = getattr(self, "_focus_before_search", None) if view is None else None
            (before if before is not None and before.is_attached else self.articles).focus()
            return
        # The field stays until the results are in, so the screen is laid out once.
        self._search_pending = True
        self.show_view(view)

    def search_done(self) -> None:
        if self._search_pending:
            self._search_pending = False
            self._show_search_bar(False)
            self.articles.focus()

    def show_matches(self) -> None:
        """Highlight the view's search in the list and the reading pane (or nothing)."""
        view = self.view
        terms = search_terms(view.search if view.kind is ViewKind.SEARCH else None, view.typed)
        self.articles.set_match_terms(terms)
        self.reader_pane.set_search(terms)

    def action_save_search(self) -> None:
        if self.view.kind is ViewKind.SEARCH and self.view.search:
            text, reader = saved_query(self.view), self.reader

            def saved(_: None) -> None:
                self.notify(f"Saved the search {text!r}: it is in the sidebar.")
                self.load_sidebar()

            self.in_thread(lambda: reader.save_search(text), saved)

    # --- mark the view read, and undo ---

    def action_mark_view_read(self) -> None:
        if self.view.text_query is not None and self._query is not None:
            # A search or a tag: the articles listed (its scope holds others).
            ids, reader = list(self.articles.ids), self.reader
            self.in_thread(lambda: reader.set_read(ids, True), self._view_marked)
        elif self._query is not None:
            query, reader = self._query, self.reader
            self.in_thread(lambda: reader.mark_query_read(query), self._view_marked)

    def _view_marked(self, changed: list[int]) -> None:
        self.changed_read(changed, True)
        if changed:
            self.set_undo(lambda: self._undo_mark_read(changed))
            self.notify(f"Marked {len(changed)} read. Press u to undo.")
        else:
            self.notify("Nothing unread here.")

    def _undo_mark_read(self, ids: list[int]) -> None:
        reader = self.reader
        self.in_thread(
            lambda: reader.set_read(ids, False), lambda changed: self.changed_read(changed, False)
        )
        self.notify(f"Marked {len(ids)} unread again.")


def _view_from(raw: object, depth: int = 0) -> View | None:
    """A saved view, or None when it is not one (an old or hand-edited file)."""
    if not isinstance(raw, dict) or depth > 2:
        return None
    try:
        view = View(
            kind=ViewKind(str(raw.get("kind"))),
            label=str(raw.get("label", "")),
            feed_id=raw.get("feed_id") if isinstance(raw.get("feed_id"), int) else None,
            folder=raw.get("folder") if isinstance(raw.get("folder"), str) else None,
            search=raw.get("search") if isinstance(raw.get("search"), str) else None,
            tag=raw.get("tag") if isinstance(raw.get("tag"), str) else None,
            typed=raw.get("typed") is True,
        )
    except ValueError:
        return None
    if view.kind is ViewKind.SEARCH and view.search and view.typed:
        return search_view(view.search, _view_from(raw.get("within"), depth + 1))
    return (
        next((smart for smart in SMART_VIEWS if smart.kind is view.kind), view)
        if (view.kind not in (ViewKind.FEED, ViewKind.FOLDER, ViewKind.SEARCH, ViewKind.TAG))
        else view
    )
