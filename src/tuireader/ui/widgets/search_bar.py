"""The search field: one line in the list pane, in place of the list's title while typing.

Inline rather than a dialog: a modal screen over the main one (with its see-through
background) re-rendered the whole screen on every key typed, and laid the main screen out
again when it closed, some 100-150 ms per search on a big library.

The line says where the search looks (the view it was opened from, or every article;
``tab`` switches), and a query that does not parse gets one line under the field, its
caret under the column at fault. Parsing is pure and takes microseconds: it runs as
each key is typed. The screen searches a moment after the last key (in a worker whose
stale results are dropped) and again on enter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tuireader.query import QueryError, parse_query
from tuireader.sanitize import clean_line

#: Short enough for the list pane at 90 columns (about 60 cells wide, less the scope).
PLACEHOLDER = "query · tab: scope · enter: go · esc: close"
#: The scope's label is cut to this many cells, so the field keeps its room.
SCOPE_WIDTH = 22
EVERYWHERE = "all articles"


def query_problem(text: str) -> QueryError | None:
    """Why ``text`` is not a query, or None when it parses."""
    try:
        parse_query(text)
    except QueryError as error:
        return error
    return None


class SearchBar(Input):
    """Enter searches for what was typed; escape closes without searching; tab widens
    the search to every article (or narrows it back to the view).

    The screen shows and hides the line and takes ``Closed``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
        Binding("tab", "toggle_scope", "Search in the view / everywhere", show=False),
    ]
    #: The footer keeps the list's keys while typing (see KeyFooter): the placeholder says
    #: what enter and escape do.
    KEEPS_FOOTER = True

    @dataclass
    class Closed(Message):
        """The field closed: ``text`` is what to search for, None when nothing is;
        ``everywhere``: in every article rather than the view's."""

        text: str | None
        everywhere: bool = False

    @dataclass
    class Typed(Message):
        """The query or its scope changed while typing (the screen shows results as
        they come, a moment after the last key)."""

        text: str
        everywhere: bool
        #: Whether ``text`` parses (a search runs only then).
        valid: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, compact=True, id=id)
        #: The view's name, when the search can look in it ("" : it cannot).
        self.scope = ""
        self.everywhere = False

    def start(self, scope: str, text: str = "") -> None:
        """Take the keys, from ``text``; search in ``scope`` ("" : in every article)."""
        self.scope = scope
        self.everywhere = not scope
        self.value = text
        self.cursor_position = len(text)
        self._show_scope()
        self._show_problem(None)

    def action_close(self) -> None:
        self._close(None)

    def action_toggle_scope(self) -> None:
        if self.scope:
            self.everywhere = not self.everywhere
            self._show_scope()
            self._typed(self.value)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._typed(event.value)

    def _typed(self, text: str) -> None:
        problem = query_problem(text)
        self._show_problem(problem)
        self.post_message(self.Typed(text, self.everywhere, problem is None))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = query_problem(event.value)
        if problem is not None:
            self._show_problem(problem)
            return
        self._close(event.value.strip() or None)

    def _close(self, text: str | None) -> None:
        self.post_message(self.Closed(text, self.everywhere))

    @property
    def scope_text(self) -> str:
        """Where the search looks, as the line says it."""
        return EVERYWHERE if self.everywhere or not self.scope else self.scope

    def _show_scope(self) -> None:
        line = self.parent.parent if self.parent is not None else None
        if isinstance(line, SearchLine):
            line.show_scope(self.scope_text, can_widen=bool(self.scope))

    def _show_problem(self, problem: QueryError | None) -> None:
        line = self.parent.parent if self.parent is not None else None
        if isinstance(line, SearchLine):
            line.show_problem(problem, self)


class SearchLine(Vertical):
    """The field with its scope before it, and a problem line under it when there is one."""

    DEFAULT_CSS = """
    SearchLine {
        height: auto;
        #search-row { height: 1; }
        #search-scope { width: auto; max-width: 24; height: 1; padding: 0 1 0 0;
                        color: $text-accent; text-style: bold; }
        #search-problem { height: auto; max-height: 3; color: $text-error; display: none; }
    }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="search-row"):
            yield Static("", id="search-scope")
            yield SearchBar(id="search-field")
        yield Static("", id="search-problem")

    @property
    def bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    def show_scope(self, scope: str, *, can_widen: bool) -> None:
        label = Text("⌕ in ", style="dim")
        label.append(clean_line(scope))
        label.truncate(SCOPE_WIDTH, overflow="ellipsis")
        self.query_one("#search-scope", Static).update(label)
        self.bar.tooltip = "tab: search all articles / this view" if can_widen else None

    def show_problem(self, problem: QueryError | None, bar: SearchBar) -> None:
        line = self.query_one("#search-problem", Static)
        line.display = problem is not None
        if problem is None:
            return
        # The caret under the column at fault, as the field shows it (it may scroll).
        scope = self.query_one("#search-scope", Static)
        column = scope.outer_size.width + problem.column - 1 - int(bar.scroll_x)
        message = clean_line(problem.message)
        width = self.size.width
        if column >= 0 and column + 2 + len(message) <= width:
            text = Text(" " * column + "^ " + message, no_wrap=True, end="")
        elif len(message) + 1 <= column < width:
            # The reason before the caret, ending where it stands.
            text = Text(message.rjust(column - 1) + " ^", no_wrap=True, end="")
        else:
            # No room beside the caret: the reason names the column instead (and wraps).
            text = Text(f"column {problem.column}: {message}", end="")
        line.update(text)
