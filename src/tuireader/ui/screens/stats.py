"""The reading stats screen: the same plots as ``tuireader stats``, computed off the loop."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tuireader.core import Reader
from tuireader.ui.screens.dialog import SCROLL_BINDINGS, ScrollingDialog

#: The periods ``w`` cycles through, in days.
PERIODS = (30, 7, 90)


class StatsScreen(ScrollingDialog):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("w", "period", "Period"),
        *SCROLL_BINDINGS,
    ]

    def __init__(self, reader: Reader) -> None:
        super().__init__()
        self._reader = reader
        self._period = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box stats") as box:
            box.border_title = "Reading stats"
            box.border_subtitle = "w changes the period · escape closes"
            yield Static("Counting…", id="stats-report")

    def on_mount(self) -> None:
        # Once laid out, the box's own width sizes the plots (they must not wrap).
        self.call_after_refresh(self._load_period)

    def _load_period(self) -> None:
        width = self.query_one(VerticalScroll).scrollable_content_region.width
        self._load(PERIODS[self._period], width)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self, days: int, width: int) -> None:
        """Read the log and draw the plots in a thread (plotext is pure Python)."""
        from tuireader.stats import reading_stats
        from tuireader.statsplot import stats_report

        report = stats_report(
            reading_stats(self._reader.store, days=days), width=max(40, width - 2), color=True
        )
        self.app.call_from_thread(self._show, report)

    def _show(self, report: str) -> None:
        # plotext's output is ANSI; feed titles in it were cleaned of escapes before plotting.
        self.query_one("#stats-report", Static).update(Text.from_ansi(report))

    def action_period(self) -> None:
        self._period = (self._period + 1) % len(PERIODS)
        self.query_one("#stats-report", Static).update("Counting…")
        self._load_period()
