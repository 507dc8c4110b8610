"""The help screen: every key, as currently bound (the config's ``[keys]`` included)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tuireader.ui.keymap import ACTIONS, LINK_KEYS, keys_for
from tuireader.ui.screens.dialog import SCROLL_BINDINGS, ScrollingDialog

#: Most used first: moving and reading, then the keys that work everywhere.
SCOPE_TITLES = {
    "list": "Article list",
    "reader": "Reading pane",
    "screen": "Everywhere",
    "sidebar": "Feeds pane",
}


def help_table(keymap: Mapping[str, str], commands: Sequence[tuple[str, Text]] = ()) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column()
    for scope, title in SCOPE_TITLES.items():
        table.add_row("", Text(title, style="bold underline"))
        for action in ACTIONS:
            if action.scope == scope:
                table.add_row(Text(keys_for(action, keymap)), Text(action.description))
        if scope == "screen":
            table.add_row(Text(f"{LINK_KEYS[0]}…{LINK_KEYS[-1]}"), Text("Open numbered link"))
            table.add_row(Text("ctrl+p"), Text("Command palette (themes too)"))
        table.add_row("", "")
    if commands:
        table.add_row("", Text("Your commands (config.toml [commands])", style="bold underline"))
        for key, line in commands:
            table.add_row(Text(key), line)
    return table


class HelpScreen(ScrollingDialog):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
        *SCROLL_BINDINGS,
    ]

    def __init__(
        self, keymap: Mapping[str, str], commands: Sequence[tuple[str, Text]] = ()
    ) -> None:
        super().__init__()
        self._keymap = keymap
        self._commands = tuple(commands)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box help") as box:
            box.border_title = "Keys"
            # A literal "[keys]": border titles are markup.
            box.border_subtitle = Content(
                "j/k scroll for more · escape closes · config.toml [keys] rebinds"
            )
            yield Static(help_table(self._keymap, self._commands))
