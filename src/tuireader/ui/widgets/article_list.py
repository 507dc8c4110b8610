"""The middle pane: a virtual list that renders only the rows on screen.

It holds the ids of the whole view (cheap even for 100,000 articles) and fetches the
summaries of the visible window in a thread, so scrolling and moving never wait on SQLite
and the widget count never grows with the view.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from tuireader.models import ArticleSummary
from tuireader.ui import keymap
from tuireader.ui.highlight import Terms, highlight_text
from tuireader.ui.widgets import article_rows as rows
from tuireader.ui.widgets.article_rows import RowNote

#: Rows fetched beyond the visible ones, above and below, so small moves need no fetch.
WINDOW_MARGIN = 60
#: A fetch starts when a row this near the visible ones is missing, not at every row the
#: window's edge moves: a scroll row by row then fetches every 40 rows, not at every j.
NEAR_MARGIN = 20
#: Rows kept in memory around the visible window; rows further away are dropped (and
#: fetched again if the list comes back to them), so paging through 100,000 articles
#: does not keep every summary.
ROW_CACHE_LIMIT = 2_000
#: Screen lines per article: the title, then feed, age, marks and notes (like NetNewsWire).
ROW_HEIGHT = 2
#: Drawn lines kept for redrawing (a scroll redraws every visible line); more, and they go.
LINE_CACHE_LIMIT = 1_000

RowFetcher = Callable[[list[int]], list[ArticleSummary]]


class ArticleList(ScrollView, can_focus=True):
    """Articles of one view, two lines each: the title, then feed, age, marks and notes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *keymap.bindings("list"),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page_up_list", "Page up", show=False),
        Binding("pagedown", "page_down_list", "Page down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--cursor",
        "article-list--unread",
        "article-list--read",
        "article-list--meta",
        "article-list--mark",
        "article-list--selected",
        "article-list--match",
    }

    DEFAULT_CSS = """
    ArticleList {
        overflow-x: hidden;
        & > .article-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .article-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .article-list--unread { text-style: bold; }
        & > .article-list--read { color: $text-muted; }
        & > .article-list--meta { color: $text-muted; }
        & > .article-list--mark { color: $warning; }
        & > .article-list--selected { background: $accent 20%; color: $accent; }
        & > .article-list--match { background: $warning 35%; text-style: bold underline; }
    }
    """

    #: No repaint of the whole list when it moves: ``watch_cursor`` redraws the two rows.
    cursor: reactive[int] = reactive(-1, init=False, repaint=False)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another article (None: the view is empty)."""

        article_id: int | None

    @dataclass
    class Opened(Message):
        """The user asked to read this article."""

        article_id: int

    @dataclass
    class RowsLoaded(Message):
        """A thread read the summaries of rows about to show."""

        rows: list[ArticleSummary]

    def __init__(
        self,
        fetch_rows: RowFetcher,
        now: Callable[[], datetime],
        *,
        tz: tzinfo | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._fetch_rows = fetch_rows
        self._now = now
        self._tz = tz
        self._ids: list[int] = []
        self._positions: dict[int, int] | None = None
        self._rows: dict[int, ArticleSummary] = {}
        self._notes: dict[int, RowNote] = {}
        self._fetch_pending = False
        self._reload = False
        self._style_cache: dict[str, Style] = {}
        #: Drawn lines by (id, line of the row, cursor, selected, width, minute of the age).
        self._lines: dict[tuple[int, int, bool, bool, int, int], Strip] = {}
        self.empty_message = "No articles here."
        #: The rows selected with v (the screen's selection, read when drawing).
        self.selected: Collection[int] = ()
        self._match_terms: Terms = ()

    # --- what the screen calls --------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        return self._ids

    @property
    def current_id(self) -> int | None:
        return self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None

    def row(self, article_id: int) -> ArticleSummary | None:
        return self._rows.get(article_id)

    def index_of(self, article_id: int) -> int | None:
        if self._positions is None:
            self._positions = {article_id: i for i, article_id in enumerate(self._ids)}
        return self._positions.get(article_id)

    def note(self, article_id: int) -> RowNote | None:
        return self._notes.get(article_id)

    def first_window_rows(self) -> int:
        """How many rows from the top the first paint of a new list needs, with margin.

        Before the first layout the list's height is unknown: the screen's height bounds it.
        """
        height = self.scrollable_content_region.height or self.app.size.height
        return height // ROW_HEIGHT + 1 + WINDOW_MARGIN

    def set_ids(
        self,
        ids: list[int],
        *,
        keep_position: bool,
        rows: list[ArticleSummary] | None = None,
        notes: dict[int, RowNote] | None = None,
    ) -> int:
        """Show a new list of ids (``rows`` already loaded, ``notes`` for second lines).

        With ``keep_position`` (a refresh or re-rank of the same view) the selected article
        stays selected and the rows on screen stay where they are, even when new rows arrive
        above; when the selected article left the list, the cursor keeps its index.
        Returns how many new articles arrived above the top row (0 without keep_position).
        """
        old_top_id = self._id_at(self._top_index())
        new_above = 0
        if keep_position and old_top_id is not None and old_top_id in ids:
            old = set(self._ids)
            new_above = sum(1 for i in ids[: ids.index(old_top_id)] if i not in old)
        old_current = self.current_id
        old_cursor = self.cursor
        self._ids = ids
        self._positions = None
        self._notes = dict(notes or {})
        self._lines.clear()
        if not keep_position:
            self._rows.clear()
        for summary in rows or ():
            self._rows[summary.id] = summary
        self.virtual_size = Size(self.scrollable_content_region.width, len(ids) * ROW_HEIGHT)
        if keep_position and old_current is not None:
            cursor = self.index_of(old_current)
            top = self.index_of(old_top_id) if old_top_id is not None else None
            if top is not None:
                self.scroll_to(y=top * ROW_HEIGHT, animate=False, immediate=True)
            self.set_reactive(ArticleList.cursor, -1)
            self.cursor = cursor if cursor is not None else min(old_cursor, len(ids) - 1)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.set_reactive(ArticleList.cursor, -1)
            self.cursor = 0 if ids else -1
            if not ids:
                self.post_message(self.Highlighted(None))
        self._request_rows()
        self.refresh()
        return new_above

    def reload_rows(self) -> None:
        """Read the visible rows again (their marks changed elsewhere), without a flicker."""
        self._reload = True
        self._request_rows()

    def on_article_list_rows_loaded(self, message: RowsLoaded) -> None:
        message.stop()
        self.update_rows(message.rows)

    def update_rows(self, rows: list[ArticleSummary]) -> None:
        """Rows read for the window: redraw only when one on screen is new or changed."""
        known = self._rows
        arrived: set[int] = set()
        for summary in rows:
            old = known.get(summary.id)
            if old != summary:
                arrived.add(summary.id)
                if old is not None:
                    self._lines.clear()  # its marks changed: lines drawn with the old ones
            known[summary.id] = summary
        self._evict_rows()
        top = self._top_index()
        height = self.scrollable_content_region.height // ROW_HEIGHT + 1
        if not arrived.isdisjoint(self._ids[top : top + height]):
            self.refresh()

    def _evict_rows(self) -> None:
        """Keep at most about ROW_CACHE_LIMIT rows, those nearest the visible window."""
        if len(self._rows) <= ROW_CACHE_LIMIT:
            return
        top = self._top_index()
        start = max(0, top - ROW_CACHE_LIMIT // 2)
        near = self._ids[start : start + ROW_CACHE_LIMIT]
        rows = self._rows
        kept = {i: rows[i] for i in near if i in rows}
        current = self.current_id
        if current is not None and current in rows:
            kept[current] = rows[current]
        self._rows = kept
        self._lines.clear()  # a row read again later may have other marks

    def patch_row(self, article_id: int, **changes: bool) -> None:
        """Change a flag of a row already on screen (after the store said yes)."""
        summary = self._rows.get(article_id)
        if summary is not None:
            self._rows[article_id] = replace(summary, **changes)  # type: ignore[arg-type]
            self._lines.clear()
            index = self.index_of(article_id)
            if index is not None:
                self.refresh_row(index)

    def select_id(self, article_id: int) -> bool:
        index = self.index_of(article_id)
        if index is None:
            return False
        self.cursor = index
        return True

    # --- cursor ----------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        if not self._ids:
            return -1
        return max(0, min(value, len(self._ids) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_row(old)
        self.refresh_row(new)
        if new < 0:
            return
        height = self.scrollable_content_region.height or ROW_HEIGHT
        top_line = int(self.scroll_y)
        first, last = new * ROW_HEIGHT, new * ROW_HEIGHT + ROW_HEIGHT - 1
        if first < top_line:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top_line + height:
            self.scroll_to(y=last - height + 1, animate=False, immediate=True)
        self.post_message(self.Highlighted(self.current_id))

    def refresh_row(self, index: int) -> None:
        if index >= 0:
            self.refresh_lines(index * ROW_HEIGHT - int(self.scroll_y), ROW_HEIGHT)

    def _top_index(self) -> int:
        return int(self.scroll_y) // ROW_HEIGHT

    @property
    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT - 1)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._ids) - 1

    def action_page_down_list(self) -> None:
        self.cursor += self._page_rows

    def action_page_up_list(self) -> None:
        self.cursor -= self._page_rows

    def half_page(self, step: int) -> None:
        """ctrl+d / ctrl+u: the cursor and the rows on screen move half a screen, as in vim."""
        rows = max(1, self.scrollable_content_region.height // ROW_HEIGHT // 2)
        self.scroll_to(y=self.scroll_y + step * rows * ROW_HEIGHT, animate=False, immediate=True)
        self.cursor += step * rows

    def centre_cursor(self) -> None:
        """zz: scroll so the current row sits in the middle of the list."""
        if self.cursor < 0:
            return
        rows = self.scrollable_content_region.height // ROW_HEIGHT
        # Whole rows from the top, as everywhere else in the list.
        top = max(0, self.cursor - (rows - 1) // 2)
        self.scroll_to(y=top * ROW_HEIGHT, animate=False, immediate=True)
        self.refresh()

    def action_open(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Opened(self.current_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (int(self.scroll_y) + offset.y) // ROW_HEIGHT
        if 0 <= index < len(self._ids):
            self.cursor = index
            if event.chain >= 2:
                self.action_open()

    # --- rendering ---

    def notify_style_update(self) -> None:
        self._style_cache.clear()
        self._lines.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        """Component styles, cached: resolving them costs more than drawing a row."""
        style = self._style_cache.get(name)
        if style is None:
            style = self.rich_style if name == "base" else self.get_component_rich_style(name)
            self._style_cache[name] = style
        return style

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._request_rows()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._ids) * ROW_HEIGHT)
        self._request_rows()

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_y) + y
        index, part = divmod(line, ROW_HEIGHT)
        width = self.scrollable_content_region.width
        base = self._style("base")
        if not self._ids:
            lines = self._empty_lines(width)
            if 1 <= y <= len(lines):
                return self._strip(lines[y - 1], width, base)
            return Strip.blank(width, base)
        if index >= len(self._ids):
            return Strip.blank(width, base)
        article_id = self._ids[index]
        summary = self._rows.get(article_id)
        selected = article_id in self.selected
        if summary is None:
            return self._draw_line(index, part, width, base, summary, selected)
        # A scroll redraws every line on screen (each j past the bottom row): lines already
        # drawn are reused. The age on the second line changes by the minute at most.
        minute = int(self._now().timestamp()) // 60 if part else 0
        key = (article_id, part, index == self.cursor, selected, width, minute)
        strip = self._lines.get(key)
        if strip is None:
            if len(self._lines) >= LINE_CACHE_LIMIT:
                self._lines.clear()
            strip = self._lines[key] = self._draw_line(index, part, width, base, summary, selected)
        return strip

    def _draw_line(
        self,
        index: int,
        part: int,
        width: int,
        base: Style,
        summary: ArticleSummary | None,
        selected: bool,
    ) -> Strip:
        article_id = self._ids[index]
        cursor: Style | None = None
        if selected:
            # Its tint under the text too, as the cursor's (the cursor's wins on its row).
            cursor = self._style("article-list--selected")
            base = base + cursor
        if index == self.cursor:
            # Both lines of the row, the title's own background included (issue 15).
            cursor = self._style("article-list--cursor")
            base = base + cursor
        if summary is None:
            text = Text("  …" if part == 0 else "", style=self._style("article-list--meta"))
            return self._strip(text, width, base, cursor)
        if selected:
            # A bar before both lines of a selected row (seen without colours too).
            mark = Text("▌", style=self._style("article-list--selected"), end="")
            row_text = (
                self.title_line(summary, width - 1)
                if part == 0
                else self.meta_line(summary, self._notes.get(article_id), width - 1)
            )
            return self._strip(Text.assemble(mark, row_text, end=""), width, base, cursor)
        if part == 0:
            return self._strip(self.title_line(summary, width), width, base, cursor)
        meta = self.meta_line(summary, self._notes.get(article_id), width)
        return self._strip(meta, width, base, cursor)

    def _empty_lines(self, width: int) -> list[Text]:
        """The empty list's message, wrapped to the list's width (indented two cells)."""
        text = Text(self.empty_message, style=self._style("article-list--meta"))
        wrapped = text.wrap(self.app.console, max(width - 2, 8))
        return [Text.assemble("  ", line, end="") for line in wrapped]

    def _strip(self, text: Text, width: int, base: Style, cursor: Style | None = None) -> Strip:
        segments = list(text.render(self.app.console))
        strip = Strip(segments).adjust_cell_length(width, base).apply_style(base)
        if cursor is not None and cursor.bgcolor is not None:
            # Over the text's own styles, whose background would hide the cursor.
            strip = Strip(
                list(Segment.apply_style(strip, post_style=Style(bgcolor=cursor.bgcolor))),
                strip.cell_length,
            )
        return strip

    def title_line(self, summary: ArticleSummary, width: int) -> Text:
        line = rows.title_line(summary, width, self._style)
        if self._match_terms:  # a search's matches (ui.highlight)
            highlight_text(line, self._match_terms, self._style("article-list--match"))
        return line

    def set_match_terms(self, terms: Terms) -> None:
        """Highlight these words of a search in the titles (none: no search)."""
        if terms != self._match_terms:
            self._match_terms = terms
            self._lines.clear()
            self.refresh()

    def meta_line(self, summary: ArticleSummary, note: RowNote | None, width: int) -> Text:
        return rows.meta_line(summary, note, width, self._now(), self._tz, self._style)

    def _id_at(self, index: int) -> int | None:
        return self._ids[index] if 0 <= index < len(self._ids) else None

    # --- fetching the visible window ---------------------------------------------------------

    def _request_rows(self) -> None:
        if not self._fetch_pending:
            self._fetch_pending = True
            self.call_after_refresh(self._fetch_window)

    def _fetch_window(self) -> None:
        self._fetch_pending = False
        height = max(self.scrollable_content_region.height // ROW_HEIGHT + 1, 1)
        top = self._top_index()
        start = max(0, top - WINDOW_MARGIN)
        end = min(len(self._ids), top + height + WINDOW_MARGIN)
        if self._reload:
            self._reload = False
            missing = self._ids[start:end]
        else:
            near = self._ids[max(0, top - NEAR_MARGIN) : top + height + NEAR_MARGIN]
            if all(i in self._rows for i in near):
                return
            missing = [i for i in self._ids[start:end] if i not in self._rows]
        if missing:
            self._load_rows(missing)

    @work(thread=True, exclusive=True, group="article-rows", exit_on_error=False)
    def _load_rows(self, ids: list[int]) -> None:
        rows = self._fetch_rows(ids)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows))


__all__ = ["ROW_CACHE_LIMIT", "ROW_HEIGHT", "ArticleList", "RowFetcher", "RowNote"]
