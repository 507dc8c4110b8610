"""A search's matches in the reading pane: highlighted, and ``n``/``N`` move between them
as in ``less`` (the match scrolled into view, wrapping at either end with a note).

The reading pane renders Markdown into Textual's block widgets; once a document (or a
part of a long one) has rendered, its blocks are styled here, on top of their own
content. No search, no cost: ``n`` then keeps its meaning on the screen (next unread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Label

from tuireader.query.highlight import find_matches
from tuireader.ui.highlight import Span, Terms, highlight_content, highlight_text, line_of

if TYPE_CHECKING:
    # Textual's Markdown (and markdown-it under it) loads with the first article shown,
    # not before the first paint (tests/test_start_imports.py).
    from textual.widgets import Markdown

#: Lines kept above a match scrolled to, so it is read in its context.
CONTEXT_LINES = 2
WRAPPED_FORWARD = "Search hit the end of the article: continued from the top."
WRAPPED_BACKWARD = "Search hit the top of the article: continued from the end."


@dataclass(frozen=True, slots=True)
class Match:
    """One match: the widget that draws it, its text before styling, and where it is."""

    target: Widget
    original: Content
    span: Span


class FindablePane(VerticalScroll):
    """A scrolling pane of Markdown whose search matches show and can be stepped through."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"find--match", "find--current"}
    DEFAULT_CSS = """
    FindablePane {
        & > .find--match { background: $warning 35%; text-style: bold; }
        & > .find--current { background: $warning; color: $text-warning; text-style: bold; }
    }
    """

    _terms: Terms = ()
    _current: Match | None = None
    #: n/N asked while the rest of a long article renders: look again when it has.
    _find_waiting: int = 0

    # --- what the screen calls ------------------------------------------------------------

    @property
    def searching(self) -> bool:
        return bool(self._terms)

    def set_search(self, terms: Terms) -> None:
        """Highlight these terms (none: no search) in what is shown and what comes."""
        if terms == self._terms:
            return
        self._terms = terms
        self._current = None
        self._find_waiting = 0
        for markdown in self.query("Markdown"):
            self._highlight(cast("Markdown", markdown))

    def find(self, step: int) -> None:
        """Move to the next (1) or previous (-1) match and scroll it into view."""
        matches = self._matches()
        here = self._position(matches, step)
        index = here + step
        if 0 <= index < len(matches):
            self._go(matches[index])
            return
        if step > 0 and self._still_rendering():
            # The rest of a long article renders as it nears: scroll there, look again.
            self._find_waiting = step
            self.scroll_end(animate=False)
            return
        if not matches:
            self.notify("No match in this article.", markup=False, timeout=3)
            return
        self._go(matches[0] if step > 0 else matches[-1])
        self.notify(WRAPPED_FORWARD if step > 0 else WRAPPED_BACKWARD, markup=False, timeout=3)

    def action_find_next(self) -> None:
        self.find(1)

    def action_find_previous(self) -> None:
        self.find(-1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("find_next", "find_previous") and not self._terms:
            return False  # the key goes on to the screen (n: next unread)
        return super().check_action(action, parameters)

    def mark_matches(self, text: Text) -> Text:
        """The search's matches in a line the pane draws itself (the article's header)."""
        if self._terms:
            highlight_text(text, self._terms, self.get_component_rich_style("find--match"))
        return text

    def _still_rendering(self) -> bool:
        """Whether parts of the shown article are yet to render (see ReadingPane)."""
        return bool(getattr(self, "rendering", False))

    # --- highlighting -------------------------------------------------------------------

    def on_markdown_table_of_contents_updated(self, event: Markdown.TableOfContentsUpdated) -> None:
        """A document (or a part of one) has rendered its blocks."""
        self._highlight(event.markdown)
        if self._find_waiting:
            step, self._find_waiting = self._find_waiting, 0
            self.call_after_refresh(self.find, step)

    def _highlight(self, markdown: Markdown) -> None:
        style = self.get_visual_style("find--match")
        for target, original in _drawn_blocks(markdown):
            spans = find_matches(original.plain, self._terms) if self._terms else []
            target_update(target, highlight_content(original, spans, style))

    # --- moving ---------------------------------------------------------------------------

    def _matches(self) -> list[Match]:
        if not self._terms:
            return []
        return [
            Match(target, original, span)
            for markdown in self.query("Markdown")
            for target, original in _drawn_blocks(cast("Markdown", markdown))
            for span in find_matches(original.plain, self._terms)
        ]

    def _position(self, matches: list[Match], step: int) -> int:
        """Where the search stands among ``matches``: the current match, else just above
        (n) or below (N) the top of the pane, as ``less`` searches from the screen."""
        current = self._current
        if current is not None and current.target.is_attached:
            for index, match in enumerate(matches):
                if match.target is current.target and match.span == current.span:
                    return index
        top = self.scroll_y
        before = [i for i, match in enumerate(matches) if self._match_y(match) < top]
        if step > 0:
            return before[-1] if before else -1
        return before[-1] + 1 if before else 0

    def _go(self, match: Match) -> None:
        previous, self._current = self._current, match
        style = self.get_visual_style("find--match")
        current = self.get_visual_style("find--current")
        if previous is not None and previous.target is not match.target:
            spans = find_matches(previous.original.plain, self._terms)
            target_update(previous.target, highlight_content(previous.original, spans, style))
        spans = find_matches(match.original.plain, self._terms)
        target_update(
            match.target,
            highlight_content(
                match.original, spans, style, current=match.span, current_style=current
            ),
        )
        y = self._match_y(match)
        if not self.scroll_y <= y < self.scroll_y + self.scrollable_content_region.height:
            self.scroll_to(y=max(0, y - CONTEXT_LINES), animate=False, immediate=True)

    def _match_y(self, match: Match) -> int:
        """The match's line in the pane's scrolled content."""
        target = match.target
        region = target.content_region
        top = region.y - self.scrollable_content_region.y + int(self.scroll_y)
        wrap = 0 if isinstance(target, Label) else region.width
        return top + line_of(match.original, match.span[0], wrap)


def _drawn_blocks(markdown: Markdown) -> list[tuple[Widget, Content]]:
    """The widgets that draw a document's text, each with its unstyled content, in order.

    Tables are left out (their cells are drawn by a widget of their own).
    """
    from textual.widgets._markdown import MarkdownBlock, MarkdownFence, MarkdownTable

    drawn: list[tuple[Widget, Content]] = []
    for block in markdown.query(MarkdownBlock):
        if isinstance(block, MarkdownFence):
            labels = block.query(Label)
            if labels:
                drawn.append((labels.first(), block._highlighted_code))
        elif block._content.plain and not any(
            isinstance(node, MarkdownTable) for node in block.ancestors
        ):
            drawn.append((block, block._content))
    return drawn


def target_update(target: Widget, content: Content) -> None:
    """Draw ``content`` in a block (its own ``_content`` stays the unstyled text)."""
    from textual.widgets._markdown import MarkdownBlock

    if isinstance(target, Label | MarkdownBlock):
        target.update(content)
