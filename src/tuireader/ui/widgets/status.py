"""One-line bars: the article list's title, the refresh progress and the data used."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tuireader.humanize import format_bytes, plural
from tuireader.models import OutcomeKind, RefreshOutcome
from tuireader.ui.views import SMART_VIEWS, View, ViewKind

ORDER_LABELS = {
    "newest": "newest first",
    "oldest": "oldest first",
    "feed": "by feed",
    "relevance": "by relevance",
}


@dataclass
class RefreshProgress:
    """Counts of a running refresh, updated from each per-feed outcome."""

    total: int = 0
    done: int = 0
    new_articles: int = 0
    bytes_downloaded: int = 0
    failed: list[RefreshOutcome] = field(default_factory=list)

    def add(self, outcome: RefreshOutcome) -> None:
        self.done += 1
        self.new_articles += outcome.new_articles
        self.bytes_downloaded += outcome.bytes_downloaded
        if outcome.kind is OutcomeKind.FAILED:
            self.failed.append(outcome)

    def text(self, failed_style: Style | str = "bold") -> Text:
        text = Text("⟳ Refreshing ", style="bold")
        text.append(f"{self.done}/{self.total} feeds")
        text.append(f" · {self.new_articles} new · {format_bytes(self.bytes_downloaded)}")
        if self.failed:
            text.append(f" · {len(self.failed)} failed", style=failed_style)
        return text

    def done_text(self, failed_style: Style | str = "bold") -> Text:
        """``Last refresh: 12 feeds · 3 new · 48 KB``, kept on the status line afterwards."""
        text = Text("Last refresh: ", style="bold")
        text.append(f"{plural(self.done, 'feed')} · {self.new_articles:,} new")
        text.append(f" · {format_bytes(self.bytes_downloaded)}")
        if self.failed:
            text.append(f" · {len(self.failed)} failed", style=failed_style)
        return text

    def summary(self) -> str:
        line = (
            f"Refreshed {plural(self.done, 'feed')}: {self.new_articles:,} new, "
            f"{format_bytes(self.bytes_downloaded)}"
        )
        if self.failed:
            line += f", {len(self.failed)} failed (press i on a ⚠ feed for the reason)"
        return line


#: The status line's word on images, by the ``images`` setting.
IMAGES_NOTES = {
    "off": "images are never downloaded",
    "on-demand": "images load on demand",
    "auto": "images load with the article",
}


class StatusLine(Static):
    """The refresh in progress, then the last refresh and the pages fetched, with their bytes.

    Hidden until there is something to say, so the demo and a fresh start stay uncluttered.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display = False
        self._refresh: Text | None = None
        self._sync: Text | None = None  # [sync] account, last sync, queued changes
        self._pages = 0
        self._pages_failed = 0
        self._images_fetched = 0
        self._page_bytes = 0
        #: The first key(s) of a sequence waiting for the next, with what may follow.
        self._pending: Text | None = None
        #: The last user command's outcome, one line.
        self._command: Text | None = None
        self._download: Text | None = None
        self._images = "off"

    def _failed_style(self) -> Style:
        """Bold in the theme's error colour."""
        colour = self.app.theme_variables.get("error")
        return Style(bold=True, color=colour) if colour else Style(bold=True)

    def refreshing(self, progress: RefreshProgress) -> None:
        self._refresh = progress.text(self._failed_style())
        self._show()

    def refreshed(self, progress: RefreshProgress) -> None:
        self._refresh = progress.done_text(self._failed_style())
        self._show()

    def page_fetched(self, bytes_downloaded: int, *, saved: bool = True) -> None:
        """A page fetched for the open article; one with no article on it counts as
        failed (its bytes were spent all the same)."""
        if saved:
            self._pages += 1
        else:
            self._pages_failed += 1
        self._page_bytes += bytes_downloaded
        self._show()

    def images_fetched(self, count: int, bytes_downloaded: int) -> None:
        """Images fetched for the open article: counted with the pages, bytes and all."""
        self._images_fetched += count
        self._page_bytes += bytes_downloaded
        self._show()

    def downloading(self, text: Text | None) -> None:
        """The episode downloading now ("Downloading ep 12: 4.1 MB of 30 MB"), or None."""
        self._download = text
        self._show()

    def images_mode(self, mode: str) -> None:
        self._images = mode
        if self.display:
            self._show()

    def synced(self, text: Text | None) -> None:  # [sync]
        if text is None and self._sync is None:
            return  # a local library: nothing to say
        self._sync = text
        self._show()

    def pending_keys(self, keys: str | None, hint: str = "") -> None:
        """Show the keys of an unfinished sequence (``g…``), or stop showing them (None)."""
        if keys is None:
            if self._pending is not None:
                self._pending = None
                self._show()
            return
        self._pending = Text()
        self._pending.append(f" {keys}… ", style="bold reverse")
        if hint:
            self._pending.append(f" {hint} · escape cancels", style="dim")
        self._show()

    def command_done(self, line: str, *, failed: bool) -> None:
        """A user command's outcome (its output's last line, or why it failed)."""
        if failed:
            self._command = Text("✗ " + line, style=self._failed_style())
        else:
            self._command = Text("✓ " + line)
        self._show()

    def text(self) -> Text:
        """Everything the line has to say (:meth:`_show` fits it to the width)."""
        return Text("  ·  ").join(self._parts())

    def _parts(self) -> list[Text]:
        pages = None
        if self._pages or self._pages_failed or self._images_fetched:
            words = []
            if self._pages or self._pages_failed:
                failed = f", {self._pages_failed} failed" if self._pages_failed else ""
                words.append(f"{plural(self._pages, 'page')}{failed}")
            if self._images_fetched:
                words.append(plural(self._images_fetched, "image"))
            pages = Text(" · ".join((*words, format_bytes(self._page_bytes))))
        parts = (
            self._sync,  # [sync]
            self._refresh,
            pages,
            self._command,  # [keys]
            self._pending,
            self._download,
            Text(IMAGES_NOTES.get(self._images, ""), style="dim"),
        )
        # Only the parts with something to say, so no separator stands next to nothing.
        return [part for part in parts if part]

    def _show(self) -> None:
        self.update(self._fitted(self.content_region.width))
        self.display = True

    def on_resize(self) -> None:
        if self.display:
            self._show()

    def _fitted(self, width: int) -> Text:
        """The line in ``width`` cells: the images note (last, least needed) goes first
        rather than be cut mid-phrase; what still does not fit ends with an ellipsis."""
        parts = self._parts()
        line = Text("  ·  ").join(parts)
        if width and line.cell_len > width and self._images in IMAGES_NOTES and len(parts) > 1:
            line = Text("  ·  ").join(parts[:-1])
        if width:
            line.truncate(width, overflow="ellipsis")
        return line


class ListTitle(Widget):
    """``Search: go · by relevance · unread only · 34 articles``, cut with an ellipsis.

    Bound to the screen's state (``data_bind``): the mode comes before the count, so a
    narrow pane still shows which order and filter the list is in.
    """

    view: reactive[View] = reactive(SMART_VIEWS[0])
    sort: reactive[str] = reactive("newest")
    unread_only: reactive[bool] = reactive(False)
    count: reactive[int | None] = reactive(None)
    #: Rows selected with v.
    selected: reactive[int] = reactive(0)

    def render(self) -> Text:
        view = self.view
        text = Text(view.label, style="bold", no_wrap=True, overflow="ellipsis", end="")
        if self.selected:
            # First after the label: what the next article key will act on. A long feed
            # title gives way to it (down to half the line), or it would be cut off.
            marker = Text.assemble((" · ", "dim"), (f" {self.selected} selected ", "bold reverse"))
            width = self.size.width
            if width and text.cell_len + marker.cell_len > width:
                text.truncate(max(width - marker.cell_len, width // 2), overflow="ellipsis")
            text.append_text(marker)
        hint = ""
        if view.kind is ViewKind.FOR_YOU:
            order, hint = "ranked for you", "x: less like this"
        elif view.kind is ViewKind.RECOMMENDED and self.sort == "newest":
            order = "newest recommended first"
        else:
            order = ORDER_LABELS.get(self.sort, self.sort)
        text.append(f" · {order}", style="dim")
        if self.unread_only and view.honours_unread_filter:
            text.append(" · unread only", style="dim")
        if self.count is not None:
            text.append(f" · {plural(self.count, 'article')}", style="dim")
        if hint:
            text.append(" · " + hint, style="dim italic")
        if self.size.width:
            text.truncate(self.size.width, overflow="ellipsis")
        return text
