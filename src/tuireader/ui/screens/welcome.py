"""The first-run view: no feeds yet, so offer a way in."""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Static

from tuireader.ui.widgets.footer import KeyFooter

WelcomeChoice = Literal["add", "import", "demo", "sync", "quit"]

#: Short lines, each a whole phrase, so the text never wraps mid-sentence in the box.
WELCOME_TEXT = (
    "Welcome to tuireader\n\n"
    "You have no feeds yet.\n"
    "Add one by its address (a site's address finds its feed),\n"
    "import subscriptions from an OPML or a newsboat urls file,\n"
    "sync with your FreshRSS or Miniflux account,\n"
    "or look around the demo library first."
)


class WelcomeScreen(Screen[WelcomeChoice]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('add')", "Add a feed"),
        # I, as in the main screen (where i explains a failing feed)
        Binding("I", "choose('import')", "Import OPML/urls"),
        Binding("d", "choose('demo')", "Open the demo"),
        Binding("s", "choose('sync')", "Sync with a server"),  # [sync]
        Binding("q", "choose('quit')", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="welcome-box"):
            yield Static(Text(WELCOME_TEXT, justify="center"), id="welcome-text")
            with Center(id="welcome-buttons"):
                yield Button("Add a feed (a)", variant="primary", id="add")
                yield Button("Import OPML/urls (I)", id="import")
                yield Button("Open the demo (d)", variant="success", id="demo")
                yield Button("Sync with a server (s)", id="sync")  # [sync]
        yield KeyFooter()  # only the keys that fit: 80 columns included

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id in ("add", "import", "demo", "sync"):
            self.dismiss(event.button.id)  # type: ignore[arg-type]

    def action_choose(self, choice: WelcomeChoice) -> None:
        self.dismiss(choice)
