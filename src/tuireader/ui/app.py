"""The Textual application: wires the core to the main screen, themes and keys."""

from __future__ import annotations

import gc
import importlib
import subprocess
import threading
import time
import webbrowser
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar, TextIO, cast

from textual import events, work
from textual.app import App, SuspendNotSupported
from textual.theme import Theme
from textual.widgets import Input

from tuireader.core import Reader
from tuireader.sanitize import clean_line, safe_link
from tuireader.ui.browser import browser_command
from tuireader.ui.commands import ReaderCommands
from tuireader.ui.context import AppContext
from tuireader.ui.keymap import check_keymap
from tuireader.ui.screens.commandflow import UserCommandsProvider
from tuireader.ui.screens.main import MainScreen
from tuireader.ui.screens.sync_form import SyncCommands  # [sync]

if TYPE_CHECKING:
    from tuireader.foryou import ForYou
    from tuireader.notify import Notification

UrlOpener = Callable[[str], object]

#: What the first article opened needs and the first paint does not.
WARM_UP_MODULES = (
    "textual.widgets._markdown",
    "tuireader.ui.links",
    "tuireader.ui.reading",
    "tuireader.ui.screens.prompts",
)


class TuiReaderApp(App[int]):
    """tuireader's TUI. ``tz``, ``open_url`` and ``monotonic`` are injection points for tests.

    ``monotonic`` is the clock that times how long an article stays open (read signals).
    """

    CSS_PATH = "tuireader.tcss"
    TITLE = "tuireader"
    COMMANDS: ClassVar = App.COMMANDS | {
        ReaderCommands,
        SyncCommands,  # [sync]
        UserCommandsProvider,  # [keys] config.toml [commands]
    }

    def __init__(
        self,
        reader: Reader,
        *,
        demo: bool = False,
        tz: tzinfo | None = None,
        open_url: UrlOpener | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        freeze_gc: bool = True,
        notifier: Callable[[Notification], object] | None = None,
    ) -> None:
        super().__init__()
        #: Tests inject one; None sends through ``tuireader.notify`` to this terminal.
        self._notifier = notifier
        self._freeze_gc = freeze_gc
        self._warmed = False
        if demo:
            reader.demo = True  # the core refuses to fetch, and writes no user file
        self.reader = reader
        self._for_you: ForYou | None = None
        self._for_you_lock = threading.Lock()
        self.monotonic = monotonic
        self.demo = demo
        self.tz = tz
        #: Tests inject one; None runs the configured browser, else the system's.
        self._open_url = open_url
        self.keymap, self._key_problems = check_keymap(reader.config.keys)
        self.set_keymap(self.keymap)
        if reader.config.theme in self.available_themes:
            self.theme = reader.config.theme
        else:  # said at mount, with config.toml's other problems
            self._key_problems.insert(
                0,
                f"theme {reader.config.theme!r} is not a theme here; using {self.theme} "
                "(ctrl+p, Theme lists them)",
            )

    def first_view_shown(self) -> None:
        """The first list is in: after its paint, the collector and the warm-up (once).

        The widgets, styles and caches made at start-up live as long as the app; left in
        the collector's generations, every full collection walks them all, a 40-80 ms pause
        that lands on a key press now and then. ``gc.freeze`` skips them from then on.
        ``tuireader`` starts with the collector off (``tuireader.launch``): its
        passes during the imports and the first layout cost more than one pass over
        everything afterwards. ``freeze_gc=False`` keeps test runs, which start many apps in
        one process, as they are.
        """
        if not self._warmed:
            self._warmed = True
            self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self._freeze_gc:
            self._freeze_gc = False
            if not gc.isenabled():
                gc.collect(0)  # start-up's garbage, before the rest is set aside for good
            gc.freeze()
        gc.enable()
        self._warm_up()

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import what opening an article needs, once the first list has painted and before
        the first enter: the start-up leaves it out (tests/ui/test_ui_start_imports.py), and
        the first article would otherwise wait for it (~0.1 s of Markdown, HTML, Pygments)."""
        for name in WARM_UP_MODULES:
            importlib.import_module(name)

    @property
    def for_you(self) -> ForYou:
        """One ranking per app, so its article analyses are cached between re-ranks.

        Made when first asked for (from a view's thread worker too, hence the lock): the
        recommender's modules are not needed for the first paint.
        """
        with self._for_you_lock:
            if self._for_you is None:
                self._for_you = self.reader.make_for_you()
            return self._for_you

    def now(self) -> datetime:
        """The core's clock (injectable through ``make_reader(clock=...)``)."""
        return self.reader.now()

    @property
    def context(self) -> AppContext:
        return AppContext(
            reader=self.reader,
            make_for_you=lambda: self.for_you,
            tz=self.tz,
            keymap=self.keymap,
            monotonic=self.monotonic,
            open_external=self.open_external,
            first_view_shown=self.first_view_shown,
            desktop_notify=self.desktop_notify,
        )

    def on_mount(self) -> None:
        if self.demo:
            self.sub_title = "demo library"
        for problem in (*self.reader.config_problems, *self._key_problems):
            self.notify(clean_line(problem), severity="warning", timeout=10, markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.push_screen(MainScreen(self.context))

    async def _on_key(self, event: events.Key) -> None:
        """A printable key that reaches the app while a text field has the focus was
        typed before the focus moved there (fast after ``/``): it belongs to the field.

        Textual forwards each key to the widget focused when the app reads it, so letters
        typed fast after ``/`` all go to the list before ``/`` opens the search; back here,
        they would run as commands (``s`` stars, ``a`` adds). A field keeps the printable
        keys it gets itself, so only those typed ahead of the focus arrive here.
        """
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable:
            # Textual runs App._on_key after this one unless the default is prevented.
            event.stop()
            event.prevent_default()
            focused._forward_event(events.Key(event.key, event.character))
            return
        # [keys] sequences (gg, zz), [commands] keys and escape's selection, before bindings.
        screen = self.screen
        if (
            not isinstance(focused, Input)
            and isinstance(screen, MainScreen)
            and await screen.before_bindings(event.key)
        ):
            event.stop()
            event.prevent_default()

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.reader.config.theme:
            self._save_theme(theme.name)

    @work(thread=True, exclusive=True, group="theme", exit_on_error=False)
    def _save_theme(self, name: str) -> None:
        """Keep the theme in config.toml (the core writes nothing for a demo library)."""
        try:
            self.reader.save_setting("theme", name)
        except OSError as error:
            self.call_from_thread(
                self.notify, f"Could not save the theme: {error}", severity="error", markup=False
            )

    def desktop_notify(self, note: Notification) -> None:
        """New articles, outside the app: the desktop's notifications or the terminal's."""
        if self._notifier is not None:
            self._notifier(note)
        else:
            self._send_notification(note)

    @work(thread=True, group="notify", exit_on_error=False)
    def _send_notification(self, note: Notification) -> None:
        """In a thread: notify-send may take a moment. The terminal's escape goes out
        through the app's own writer, between its frames."""
        from tuireader.notify import send

        send(note, cast(TextIO, _AppTerminal(self)))

    def open_external(self, url: str) -> None:
        """Open an http(s) or mailto link in the browser, off the event loop; refuse others."""
        link = safe_link(url)
        if link is None:
            self.notify(
                f"Not opening {clean_line(url)[:80]!r}: only web and mail links open.",
                severity="warning",
                markup=False,
            )
            return
        command = browser_command(self.reader.config.browser, link)
        if self._open_url is None and command is not None:
            self._run_browser(command)
        else:
            self._open_in_browser(link)

    def _run_browser(self, command: list[str]) -> None:
        """Run a browser command with the app suspended (a terminal browser needs the
        terminal); the app redraws when it exits."""
        try:
            with self.suspend():
                code = _run(command)
        except SuspendNotSupported:
            code = _run(command)  # no terminal to hand over (a test, a web driver)
        if code is None:
            self.notify(
                f"Could not run the browser {command[0]!r}.", severity="error", markup=False
            )
        elif code != 0:
            self.notify(f"The browser exited with status {code}.", severity="warning")

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        opener = self._open_url or webbrowser.open
        if opener(url) is False:
            self.call_from_thread(
                self.notify,
                'No browser found to open the link: set browser = "w3m %u" (or another) '
                "in config.toml.",
                severity="warning",
            )
        else:
            self.call_from_thread(self.notify, f"Opened {url}", timeout=3, markup=False)


class _AppTerminal:
    """The running app's terminal as a stream, for an escape sequence from a thread."""

    def __init__(self, app: App[int]) -> None:
        self._app = app

    def isatty(self) -> bool:
        return self._app._driver is not None and not self._app.is_headless

    def write(self, data: str) -> None:
        driver = self._app._driver
        if driver is not None:
            self._app.call_from_thread(driver.write, data)

    def flush(self) -> None:
        return None


def _run(command: list[str]) -> int | None:
    """Run a command in the foreground; its exit status, or None when it cannot start."""
    try:
        return subprocess.run(command, check=False).returncode
    except OSError:
        return None


def start_helper_processes() -> None:
    """Start multiprocessing's resource tracker while ``sys.stderr`` is still a real file.

    The core parses feeds in forkserver workers. Starting the resource tracker passes
    ``sys.stderr.fileno()`` to the child; inside a running Textual app stderr is a capture
    object whose fileno is -1, and the start fails with "bad value(s) in fds_to_keep".
    Started here, before the app runs, it is simply reused later. The forkserver itself
    needs no stderr: the first refresh starts it, in a thread (``ParsePool.start``), so it
    does not spend ~0.2 s of CPU importing the parsers beside the first paint.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def make_app(reader: Reader, *, demo: bool = False, **options: object) -> TuiReaderApp:
    """The one factory used by ``run_app``, the tests and the screenshot script."""
    start_helper_processes()
    return TuiReaderApp(reader, demo=demo, **options)  # type: ignore[arg-type]
