"""The right pane: an article's header and its body rendered from Markdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Markdown, Static

from tuireader.sanitize import clean_line, safe_link
from tuireader.ui import keymap
from tuireader.ui.links import make_parser
from tuireader.ui.reading import ArticleDisplay
from tuireader.ui.timefmt import full_datetime, reading_time

EMPTY_HINT = "Select an article and press enter to read it."


class ReadingPane(VerticalScroll, can_focus=True):
    """Shows one article. j/k ask the screen for the next/previous one."""

    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("reader")]

    DEFAULT_CSS = """
    ReadingPane {
        padding: 0 1;
        #article-header { padding: 1 1 0 1; border-bottom: solid $primary 50%; margin-bottom: 1; }
        #article-body { padding: 0; margin: 0; }
        &.empty #article-body { display: none; }
    }
    """

    @dataclass
    class Step(Message):
        """Open the next (1) or previous (-1) article of the list."""

        step: int

    @dataclass
    class LinkClicked(Message):
        url: str

    def __init__(self, *, tz: tzinfo | None = None, id: str | None = None) -> None:
        super().__init__(id=id, classes="empty")
        self._tz = tz
        self.shown: ArticleDisplay | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(EMPTY_HINT, style="dim"), id="article-header")
        yield Markdown(id="article-body", open_links=False, parser_factory=make_parser)

    def show(self, display: ArticleDisplay | None) -> None:
        self.shown = display
        header = self.query_one("#article-header", Static)
        body = self.query_one("#article-body", Markdown)
        self.set_class(display is None, "empty")
        self.scroll_home(animate=False, immediate=True)
        if display is None:
            header.update(Text(EMPTY_HINT, style="dim"))
            body.update("")
            return
        header.update(self.header_text(display))
        body.update(display.markdown)

    def refresh_header(self, display: ArticleDisplay) -> None:
        """Redraw the header only (a star or recommend changed), keeping the scroll position."""
        self.shown = display
        self.query_one("#article-header", Static).update(self.header_text(display))

    def header_text(self, display: ArticleDisplay) -> Text:
        article = display.article
        text = Text()
        text.append(clean_line(article.title) or "(untitled)", style="bold")
        text.append("\n")
        text.append(clean_line(article.feed_title), style="italic")
        if article.author:
            text.append(" · by " + clean_line(article.author))
        text.append("\n")
        details = [full_datetime(article.published, self._tz), reading_time(display.words)]
        text.append(" · ".join(details), style="dim")
        if article.starred:
            text.append("  ★ starred", style="bold yellow")
        if article.recommended:
            count = max(article.recommend_count, 1)
            text.append(f"  ♥ recommended ×{count}", style="bold magenta")
        link = safe_link(article.link)
        if link:
            text.append("\n")
            text.append(link, style="dim underline")
        return text

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

    def page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_next_article(self) -> None:
        self.post_message(self.Step(1))

    def action_previous_article(self) -> None:
        self.post_message(self.Step(-1))

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.post_message(self.LinkClicked(event.href))


LinkOpener = Callable[[str], None]
