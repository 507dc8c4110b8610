"""The search field: one line in the list pane, in place of the list's title while typing.

Inline rather than a dialog: a modal screen over the main one (with its see-through
background) re-rendered the whole screen on every key typed, and laid the main screen out
again when it closed, some 100-150 ms per search on a big library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

#: Short enough for the list pane at 90 columns (about 60 cells wide).
PLACEHOLDER = "Search all articles · enter: go · esc: close"


class SearchBar(Input):
    """Enter searches for what was typed; escape closes without searching.

    The screen shows and hides it (the ``searching`` class) and takes ``Closed``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]
    #: The footer keeps the list's keys while typing (see KeyFooter): the placeholder says
    #: what enter and escape do.
    KEEPS_FOOTER = True

    @dataclass
    class Closed(Message):
        """The field closed: ``text`` is what to search for, None when nothing is."""

        text: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder=PLACEHOLDER,
            compact=True,
            id=id,
        )

    def start(self) -> None:
        """Take the keys, from an empty field; the screen shows the field."""
        self.value = ""
        self.focus()

    def action_close(self) -> None:
        self._close(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close(event.value.strip() or None)

    def _close(self, text: str | None) -> None:
        self.post_message(self.Closed(text))
