"""The download queue: what waits, what downloads now, what is here, what failed.

A dialog over the main screen (``E``): one row per enclosure ever queued, newest request
first, read from the store in a worker; the running download's row follows its progress.
``P`` or ``enter`` plays the selected episode and ``m`` marks it played or unplayed,
through the screen below (which owns playback).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tuireader.core import Reader
from tuireader.humanize import plural
from tuireader.sanitize import clean_line
from tuireader.store import EnclosureState
from tuireader.ui.media import enclosure_line
from tuireader.ui.screens.dialog import ScrollingDialog


@dataclass(frozen=True, slots=True)
class EpisodeAction:
    """What the dialog asks the main screen to do with an episode."""

    kind: str  # "play" or "played"
    state: EnclosureState


class DownloadsScreen(ScrollingDialog):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,E", "close", "Close"),
        Binding("P", "play", "Play"),
        Binding("m", "played", "Played / unplayed"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
    ]

    DEFAULT_CSS = """
    DownloadsScreen .downloads { width: 100; }
    """

    def __init__(
        self,
        reader: Reader,
        act: Callable[[EpisodeAction], None],
        progress: dict[str, tuple[int, int | None]] | None = None,
    ) -> None:
        super().__init__()
        self._reader = reader
        self._act = act
        self.states: list[EnclosureState] = []
        #: url -> (bytes so far, expected total) of the running download.
        self._progress = dict(progress or {})

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box downloads") as box:
            box.border_title = "Download queue"
            box.border_subtitle = "P/enter plays · m played/unplayed · escape closes"
            yield Static("Reading the queue…", id="downloads-summary", markup=False)
            yield OptionList(id="downloads-list")

    def on_mount(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def reload(self) -> None:
        states = self._reader.episodes.downloads()
        self.app.call_from_thread(self._show, states)

    def _show(self, states: list[EnclosureState]) -> None:
        self.states = states
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(self._option(state) for state in states)
        if states:
            listing.highlighted = min(highlighted or 0, len(states) - 1)
        self.query_one("#downloads-summary", Static).update(self._summary())
        listing.focus()

    def _summary(self) -> Text:
        if not self.states:
            return Text("Nothing downloaded yet: D on an article with an enclosure queues it.")
        counts = {
            kind: sum(s.download == kind for s in self.states)
            for kind in ("queued", "done", "failed")
        }
        return Text(
            f"{plural(counts['done'], 'file')} here · {counts['queued']} queued · "
            f"{counts['failed']} failed",
            style="dim",
        )

    def _option(self, state: EnclosureState) -> Option:
        text = Text(clean_line(state.article_title)[:70] or "(untitled)", style="bold")
        text.append(" · " + clean_line(state.feed_title)[:40], style="italic")
        text.append("\n")
        text.append_text(enclosure_line(state, None, self._progress.get(state.url)))
        return Option(text)

    def set_progress(self, state: EnclosureState, done: int, total: int | None) -> None:
        self._progress = {state.url: (done, total)}
        for index, shown in enumerate(self.states):
            if shown.url == state.url and shown.article_id == state.article_id:
                self.query_one(OptionList).replace_option_prompt_at_index(
                    index, self._option(shown).prompt
                )

    def _selected(self) -> EnclosureState | None:
        index = self.query_one(OptionList).highlighted
        return self.states[index] if index is not None and index < len(self.states) else None

    def action_move(self, step: int) -> None:
        listing = self.query_one(OptionList)
        (listing.action_cursor_down if step > 0 else listing.action_cursor_up)()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """enter (or a click) on a row plays it, as P does."""
        event.stop()
        self.action_play()

    def action_play(self) -> None:
        state = self._selected()
        if state is not None:
            self._act(EpisodeAction("play", state))

    def action_played(self) -> None:
        state = self._selected()
        if state is not None:
            self._act(EpisodeAction("played", state))
