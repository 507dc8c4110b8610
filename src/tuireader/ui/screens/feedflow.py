"""The sidebar side of the main screen: feeds, folders and saved searches, refreshes,
and the welcome flow for a library with no feeds yet."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from rich.text import Text
from textual import work

from tuireader.core import ImportReport, SubscribeError, normalise_subscription_url
from tuireader.feedsettings import (
    FeedDefaults,
    FeedSettings,
    change_feed_settings,
    feed_defaults,
    feed_settings,
    rules_that_apply,
)
from tuireader.humanize import plural
from tuireader.models import Feed, FeedError, RefreshOutcome
from tuireader.sanitize import clean_line
from tuireader.store import SavedSearch, StoreError
from tuireader.store.saved import EMPTY_QUERY
from tuireader.ui import data
from tuireader.ui.screens.base import ScreenBase, one_line
from tuireader.ui.screens.feed_settings import FeedSettingsScreen
from tuireader.ui.screens.prompts import ConfirmScreen, Field, FormScreen
from tuireader.ui.screens.sync_form import open_sync_form, start_sync  # [sync]
from tuireader.ui.screens.welcome import WelcomeChoice, WelcomeScreen
from tuireader.ui.timefmt import relative_date
from tuireader.ui.views import SMART_VIEWS, View, ViewKind
from tuireader.ui.widgets.search_bar import query_problem
from tuireader.ui.widgets.sidebar import Sidebar, SidebarData
from tuireader.ui.widgets.status import RefreshProgress


def check_query(values: dict[str, str]) -> str | None:
    """The saved-search form's check: where the query does not parse, or None."""
    if not values["query"].strip():
        return EMPTY_QUERY
    problem = query_problem(values["query"])
    return None if problem is None else f"column {problem.column}: {problem.message}"


def check_address(values: dict[str, str]) -> str | None:
    """The Add dialog's check: why the address is not one, or None."""
    try:
        normalise_subscription_url(values["url"])
    except SubscribeError as error:
        return one_line(error)
    return None


class FeedFlow(ScreenBase):
    _counting = False
    _count_again = False
    _welcomed = False
    _has_feeds = True
    _cancel_refresh: threading.Event | None = None
    #: The first sidebar, when it arrives before the first list: shown once the list is.
    _early_sidebar: SidebarData | None = None
    _list_shown = False

    # --- the sidebar ---

    def load_sidebar(self, first: bool = False) -> None:
        ctx = self.ctx
        self.in_thread(
            # The first time in one go (a restored tag view must find its row); then the
            # query feeds' and tags' counts come after, one count at a time.
            lambda: data.load_sidebar(ctx.reader, ctx.now(), ctx.tz, counted=first),
            lambda loaded: self._sidebar_loaded(loaded, first),
            group="sidebar",
            exclusive=True,
        )
        if not first:
            self.count_queries()

    def count_queries(self) -> None:
        """Count the query feeds' and tags' unread articles in a worker, one count at a
        time: asked again meanwhile (articles read one after the other), it runs once
        more when this one is done, rather than stacking threads that all count."""
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        reader = self.reader

        def job() -> data.QueryCounts | Exception:
            try:
                return data.load_query_counts(reader)
            except Exception as error:  # said once below; the next change counts again
                return error

        self.in_thread(job, self._queries_counted, group="sidebar-counts")

    def _queries_counted(self, counts: data.QueryCounts | Exception) -> None:
        self._counting = False
        if isinstance(counts, Exception):
            self.notify(one_line(counts), severity="error", timeout=8)
        else:
            self.sidebar.show_counts(*counts)
        if self._count_again:
            self._count_again = False
            self.count_queries()

    def show_early_sidebar(self) -> None:
        """The first list has painted: a first sidebar that came before it shows now."""
        self._list_shown = True
        early, self._early_sidebar = self._early_sidebar, None
        if early is not None:
            self._sidebar_loaded(early, True)

    def _sidebar_loaded(self, loaded: SidebarData, first: bool) -> None:
        if first and not self._list_shown:
            # Showing 500 feeds and laying the screen out again takes the event loop tens
            # of ms: the list's first rows paint first (bench/ui_bench.py, first paint).
            self._early_sidebar = loaded
            return
        view, feed_id = self.view, self.view.feed_id
        shown = feed_id is not None and self.sidebar.feed(feed_id) is not None
        self.sidebar.show(loaded)
        self._has_feeds = bool(loaded.feeds)
        if shown and feed_id is not None and self.sidebar.feed(feed_id) is None:
            # Removed elsewhere (another tuireader, a sync): its view goes with it. (A feed
            # not listed before, one just added, may simply be newer than this data.)
            self._gone(f"{clean_line(view.label)} is no longer in the library.")
            return
        if first:
            if self.sidebar.current_view is None:
                with self.sidebar.prevent(Sidebar.OptionHighlighted):
                    if not self.sidebar.select_key(self.view.key):
                        # The view of the last session is gone (its feed was removed).
                        self.sidebar.select_key(SMART_VIEWS[0].key)
                        self.view = SMART_VIEWS[0]
                        self.load_view()
            if not loaded.feeds and not self._welcomed:
                self._welcomed = True
                self.app.push_screen(WelcomeScreen(), self._welcome_chosen)
            elif self.reader.config.refresh_on_start:
                self.refresh_feeds(None, quiet=True)
            if self.reader.config.auto_refresh_minutes:
                self.set_interval(
                    self.reader.config.auto_refresh_minutes * 60,
                    self.periodic_refresh,
                    name="auto-refresh",
                )
        message = self.empty_message()
        if message != self.articles.empty_message:
            self.articles.empty_message = message
            self.articles.refresh()  # an empty list already drawn says it again

    # --- refreshing ---

    def periodic_refresh(self) -> None:
        """The periodic refresh: feeds that are due, skipping those in back-off."""
        if not any(w.group == "refresh" and w.is_running for w in self.workers):
            self.refresh_feeds(None, due_only=True, quiet=True)

    def action_refresh_feed(self) -> None:
        feed_id = self.feed_id()
        if feed_id is not None:
            self.refresh_feeds([feed_id])
        elif self.view.kind is ViewKind.FOLDER:
            ids = self.sidebar.feed_ids_in(self.view.folder)
            if ids:
                self.refresh_feeds(ids)
        else:
            self.notify("R refreshes the selected feed or folder; ctrl+r refreshes all.")

    def action_refresh_all(self) -> None:
        self._sync_or_refresh()  # [sync] with an account, ctrl+r syncs

    def _sync_or_refresh(self) -> None:  # [sync]
        def synced() -> None:
            self.load_view(keep_position=True)
            self.load_sidebar()

        start_sync(self, refresh=self.refresh_feeds, show=self.status_line.synced, done=synced)

    def action_sync_setup(self) -> None:  # [sync] the command palette's "Sync with a server"
        open_sync_form(self, lambda _account: self._sync_or_refresh())

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_feeds(
        self, feed_ids: list[int] | None, *, due_only: bool = False, quiet: bool = False
    ) -> None:
        """Refresh feeds; ``quiet`` says nothing when there was nothing to do or no network."""
        progress = RefreshProgress()
        status = self.status_line
        cancel = self._cancel_refresh = threading.Event()

        def started(total: int) -> None:
            progress.total = total
            if total or not quiet:
                status.refreshing(progress)

        def outcome(result: RefreshOutcome) -> None:
            progress.add(result)
            status.refreshing(progress)
            if result.new_articles:
                self.load_view(keep_position=True)
                self.load_sidebar()

        last_id = await asyncio.to_thread(self.reader.last_article_id)  # [media]
        try:
            await self.reader.refresh(
                feed_ids, on_outcome=outcome, on_start=started, cancel=cancel, due_only=due_only
            )
        except FeedError as error:
            if not quiet:
                self.notify(one_line(error))
            return
        except StoreError as error:  # a full disk: what was stored stays, the line ends
            status.refreshed(progress)
            self.notify(one_line(error), severity="error", timeout=8)
            return
        if progress.new_articles:
            self.after_refresh(last_id, automatic=quiet)  # [media] notify, auto-download
        if quiet and not progress.total:
            return
        status.refreshed(progress)
        self.load_sidebar()
        if len(progress.failed) == 1 and progress.total == 1:
            failed = progress.failed[0]
            self.notify(one_line(f"{failed.url}: {failed.reason}"), severity="error")
        elif not quiet or progress.failed or progress.new_articles:
            self.notify(
                progress.summary(), severity="warning" if progress.failed else "information"
            )

    def stop_refresh(self) -> None:
        if self._cancel_refresh is not None:
            self._cancel_refresh.set()

    # --- one feed ---

    def _needs_feed(self, what: str) -> None:
        """One line saying why a feed key did nothing here."""
        self.notify(f"Select a feed to {what} (J/K move between feeds).", timeout=4)

    def action_feed_problem(self) -> None:
        feed_id = self.feed_id()
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
            when = relative_date(feed.last_fetched, self.ctx.now(), self.ctx.tz)
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
                check=check_address,
            ),
            entered,
        )

    @work(group="subscribe", exit_on_error=False)
    async def _subscribe(self, url: str, folder: str | None) -> None:
        self.notify(f"Looking for a feed at {clean_line(url)}…", timeout=3)
        try:
            result = await self.reader.subscribe(url, folder=folder)
        except SubscribeError as error:
            self.notify(one_line(error), severity="error")
            return
        title = clean_line(result.feed.title)
        self.notify(f"Subscribed to {title}: {plural(result.new_articles, 'article')}.")
        self.view = View(ViewKind.FEED, title, feed_id=result.feed.id)
        self.close_article()
        self.load_view()
        self.load_sidebar()

    def action_remove_feed(self) -> None:
        if self.view.kind is ViewKind.SEARCH and self.sidebar.search_name(self.view) is not None:
            self._remove_search()
            return
        feed_id = self.feed_id()
        feed = self.sidebar.feed(feed_id) if feed_id is not None else None
        if feed is None:
            self._needs_feed("remove (or a saved search to delete)")
            return
        question = Text("Remove ")
        question.append(clean_line(feed.title), style="bold")
        question.append(f" and its {plural(feed.total, 'article')}?")
        removed_id = feed.id

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove_feed(removed_id)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _remove_feed(self, feed_id: int) -> None:
        """Unsubscribe (through Reader: on the sync server too) and go back to a view."""
        reader = self.reader
        self.in_thread(
            lambda: reader.remove_feed(feed_id),
            lambda gone: self._gone(f"Removed {clean_line(gone.title)}."),
        )

    def _gone(self, line: str) -> None:
        """The view's feed or saved search is gone: back to the first view."""
        self.notify(line)
        self.close_article()
        self.view = SMART_VIEWS[0]
        self.sidebar.select_key(self.view.key)
        self.load_view()
        self.load_sidebar()

    def action_edit_feed(self) -> None:
        if self.view.kind is ViewKind.SEARCH and self.sidebar.search_name(self.view) is not None:
            self._rename_search()
            return
        feed_id = self.feed_id()
        feed = self.sidebar.feed(feed_id) if feed_id is not None else None
        if feed is None:
            self._needs_feed("edit (or a saved search to rename)")
            return
        reader, feed_id = self.reader, feed.id

        def load() -> tuple[FeedSettings, FeedDefaults, list[str]]:
            return (
                feed_settings(reader, feed_id),
                feed_defaults(reader),
                rules_that_apply(reader, reader.feed(feed_id)),
            )

        self.in_thread(load, lambda loaded: self._feed_form(feed_id, feed.title, *loaded))

    def _feed_form(
        self, feed_id: int, name: str, now: FeedSettings, defaults: FeedDefaults, rules: list[str]
    ) -> None:
        def saved(new: FeedSettings | None) -> None:
            if new is not None and new != now:
                self._save_feed(feed_id, new)

        self.app.push_screen(FeedSettingsScreen(name, now, defaults, rules), saved)

    def _save_feed(self, feed_id: int, new: FeedSettings) -> None:
        """Through Reader: a rename or a move reaches the sync server too."""
        reader = self.reader
        self.in_thread(lambda: change_feed_settings(reader, feed_id, new), self._feed_saved)

    def _feed_saved(self, feed: Feed) -> None:
        self.notify(f"Saved the settings of {clean_line(feed.title)}.")
        self.load_sidebar()
        self.load_view()

    # --- saved searches ---

    def _remove_search(self) -> None:
        name = self.sidebar.search_name(self.view) or ""
        reader = self.reader

        def answered(yes: bool | None) -> None:
            if yes:
                self.in_thread(
                    lambda: reader.delete_saved_search(name),
                    lambda _: self._gone(f"Deleted the saved search {name!r}."),
                )

        question = Text("Delete the saved search ")
        question.append(name, style="bold")
        question.append("? (its articles stay)")
        self.app.push_screen(ConfirmScreen(question), answered)

    def _rename_search(self) -> None:
        """Rename a saved search and edit its query (checked as typed: one line says
        where a query that does not parse goes wrong, and nothing is saved)."""
        name = self.sidebar.search_name(self.view) or ""
        query = self.view.search or ""
        reader = self.reader

        def entered(result: dict[str, str] | None) -> None:
            if result and result["name"] and (result["name"], result["query"]) != (name, query):
                new_name, new_query = result["name"], result["query"]
                self.in_thread(
                    lambda: reader.edit_saved_search(name, new_name, new_query), self._renamed
                )

        fields = [Field("name", "Name", name), Field("query", "Query", query)]
        self.app.push_screen(
            FormScreen("Edit saved search", fields, submit="Save", check=check_query), entered
        )

    def _renamed(self, saved: SavedSearch) -> None:
        self.notify(f"Saved the search {saved.name!r}: {saved.query}")
        self.show_view(View(ViewKind.SEARCH, f"Search: {saved.name}", search=saved.query))
        self.load_sidebar()

    # --- import ---

    def action_import_file(self) -> None:
        def entered(result: dict[str, str] | None) -> None:
            if result and result["path"]:
                self._import(Path(result["path"]).expanduser())

        self.app.push_screen(
            FormScreen(
                "Import subscriptions",
                [
                    Field(
                        "path",
                        "Path of an OPML file or a newsboat urls file (tab completes)",
                        paths=True,
                    )
                ],
                submit="Import",
            ),
            entered,
        )

    def _import(self, path: Path) -> None:
        reader = self.reader

        def job() -> ImportReport:
            try:
                return reader.import_subscriptions(path.read_bytes())
            except OSError as error:
                raise StoreError(f"{path}: {error.strerror or error}") from error

        self.in_thread(job, self._imported, group="import")

    def _imported(self, report: ImportReport) -> None:
        line = f"Imported {plural(len(report.added), 'feed')}"
        if report.already:
            line += f", {len(report.already):,} already there"
        if report.problems:
            line += f", {plural(len(report.problems), 'problem')}: {report.problems[0]}"
        self.notify(one_line(line))
        self.load_sidebar()
        if report.added:
            self.refresh_feeds(None, quiet=True)

    # --- welcome ---

    def _welcome_chosen(self, choice: WelcomeChoice | None) -> None:
        if choice == "add":
            self.action_add_feed()
        elif choice == "import":
            self.action_import_file()
        elif choice == "demo":
            reader = self.reader
            self.in_thread(lambda: len(reader.load_demo()), self._demo_loaded, group="import")
        elif choice == "sync":  # [sync]
            self.action_sync_setup()
        elif choice == "quit":
            self.app.exit(0)

    def _demo_loaded(self, feeds: int) -> None:
        self.notify(f"Loaded the demo library: {plural(feeds, 'feed')}.")
        self.load_sidebar()
        self.load_view()
