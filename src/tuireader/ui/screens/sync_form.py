"""Sync with a server from the app: the account form, the sync worker, the status text.

Kept in one module so the main screen only calls in: ``open_sync_form``, ``start_sync``
(ctrl+r with an account) and ``show_sync_status``. The network and the store are used in
thread workers only; everything the server sent is shown as Text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from tuireader.humanize import plural
from tuireader.store import Store
from tuireader.sync.types import SyncAccount, SyncError, SyncKind, SyncSummary
from tuireader.ui.screens.fieldtab import FieldsScreen

KINDS = [
    ("Google Reader API (FreshRSS, Miniflux, Inoreader...)", SyncKind.GREADER.value),
    ("Fever (FreshRSS, Tiny Tiny RSS plugin...)", SyncKind.FEVER.value),
]


class SyncForm(FieldsScreen[SyncAccount | None]):
    """The account: API, address, user and password, checked by logging in before saving."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, store: Store) -> None:
        super().__init__(classes="dialog")
        self.store = store

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = "Sync with a server"
            yield Label(Text("API"))
            yield Select(KINDS, value=SyncKind.GREADER.value, allow_blank=False, id="sync-kind")
            yield Label(Text("API address (FreshRSS: https://host/api/greader.php)"))
            yield Input(placeholder="https://", id="sync-url")
            yield Label(Text("User"))
            yield Input(id="sync-user")
            yield Label(Text("API password (kept in a file only you can read)"))
            yield Input(password=True, id="sync-password")
            yield Checkbox("Allow plain http:// to another machine (unencrypted)", id="sync-http")
            yield Static("", id="sync-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Connect", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._connect()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self._connect()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _connect(self) -> None:
        kind = self.query_one("#sync-kind", Select).value
        self.query_one("#sync-error", Static).update(Text("Connecting…", style="dim"))
        self._add(
            SyncKind(str(kind)),
            self.query_one("#sync-url", Input).value,
            self.query_one("#sync-user", Input).value,
            self.query_one("#sync-password", Input).value,
            self.query_one("#sync-http", Checkbox).value,
        )

    @work(thread=True, exclusive=True, group="sync-form", exit_on_error=False)
    def _add(
        self, kind: SyncKind, url: str, user: str, password: str, insecure: bool
    ) -> SyncAccount | None:
        from tuireader.sync.accounts import add_account

        try:
            return add_account(
                self.store, kind, url, user, password=password, insecure_http=insecure
            )
        except SyncError as error:
            self.app.call_from_thread(self._failed, str(error))
            return None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Dismissed once the worker has finished: dismissing from inside it cancels it.
        if event.worker.group == "sync-form" and event.state is WorkerState.SUCCESS:
            account = event.worker.result
            if isinstance(account, SyncAccount):
                self.dismiss(account)

    def _failed(self, message: str) -> None:
        self.query_one("#sync-error", Static).update(Text(message, style="bold red"))


def status_text(store: Store, now: datetime, tz: tzinfo) -> Text | None:
    """``⇅ alice at host · synced 10:42 · 3 changes queued`` (read it in a thread)."""
    account = store.sync_account()
    if account is None:
        return None
    from urllib.parse import urlsplit

    host = urlsplit(account.url).hostname or account.url
    text = Text("⇅ ", style="bold")
    text.append(f"{account.user} at {host}")
    if account.last_sync is None:
        text.append(" · never synced")
    else:
        when = account.last_sync.astimezone(tz)
        same_day = when.date() == now.astimezone(tz).date()
        text.append(f" · synced {when:%H:%M}" if same_day else f" · synced {when:%Y-%m-%d}")
    queued = store.queued_count()
    if queued:
        text.append(f" · {plural(queued, 'change')} queued")
    if account.last_error:
        text.append(" · last sync failed", style="bold red")
    return text


def summary_line(summary: SyncSummary) -> str:
    if not summary.ok:
        return f"Sync failed: {summary.error} ({plural(summary.queued, 'change')} kept)"
    line = (
        f"Synced: sent {plural(summary.pushed, 'change')}, "
        f"{plural(summary.new_articles, 'new article')}, "
        f"{plural(summary.state_changes, 'state change')} from the server"
    )
    return line + "".join(f"; {note}" for note in summary.notes)


def open_sync_form(screen: Screen[Any], on_added: Callable[[SyncAccount], None]) -> None:
    store: Store = screen.app.reader.store  # type: ignore[attr-defined]

    def added(account: SyncAccount | None) -> None:
        if account is not None:
            screen.notify(f"Added {account.user} at {account.url}: syncing now", markup=False)
            on_added(account)

    screen.app.push_screen(SyncForm(store), added)


def show_sync_status(screen: Screen[Any], show: Callable[[Text | None], None]) -> None:
    """Read the account's status in a thread and hand it to ``show`` on the event loop."""
    app: Any = screen.app

    def read() -> None:
        text = status_text(app.reader.store, app.now(), app.tz)
        app.call_from_thread(show, text)

    screen.run_worker(read, thread=True, group="sync-status", exit_on_error=False)


def start_sync(
    screen: Screen[Any],
    *,
    refresh: Callable[[list[int] | None], object],
    show: Callable[[Text | None], None],
    done: Callable[[], None],
) -> None:
    """ctrl+r: sync when there is an account (then fetch local-only feeds), else refresh."""
    app: Any = screen.app

    def run() -> None:
        from tuireader.sync.engine import sync_now

        store: Store = app.reader.store
        if store.sync_account() is None:
            app.call_from_thread(refresh, None)
            return

        def progress(step: str) -> None:
            app.call_from_thread(show, Text(f"⇅ Syncing: {step}", style="bold"))

        try:
            summary = sync_now(store, progress=progress)
        except SyncError as error:
            summary = SyncSummary(error=str(error), queued=store.queued_count())
        synced = store.sync_feed_ids()
        local = [f.id for f in store.list_feeds() if f.id not in synced]
        text = status_text(store, app.now(), app.tz)

        def finish() -> None:
            show(text)
            screen.notify(
                summary_line(summary),
                severity="information" if summary.ok else "error",
                markup=False,
            )
            done()
            if local:
                refresh(local)

        app.call_from_thread(finish)

    screen.run_worker(run, thread=True, exclusive=True, group="sync", exit_on_error=False)


SYNC_COMMAND = "Sync with a server"
SYNC_HELP = "Join a FreshRSS, Miniflux or other Google Reader API / Fever account"


class SyncCommands(Provider):
    """The command palette's "Sync with a server" (opens the form on the main screen)."""

    async def discover(self) -> Hits:
        yield DiscoveryHit(SYNC_COMMAND, self._run, help=SYNC_HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(SYNC_COMMAND)
        if score > 0:
            yield Hit(score, matcher.highlight(SYNC_COMMAND), self._run, help=SYNC_HELP)

    async def _run(self) -> None:
        await self.screen.run_action("sync_setup")
