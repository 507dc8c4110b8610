"""The right pane: an article's header and its body rendered from Markdown.

Textual's Markdown widget (with markdown-it and Pygments under it) and the article's
preparation load when the first article is shown, not before the first paint of the list:
until then the pane holds only its hint.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Static

from tuireader.sanitize import clean_line, safe_link
from tuireader.ui import keymap
from tuireader.ui.timefmt import full_datetime, reading_time
from tuireader.ui.widgets.media_block import MediaBlock
from tuireader.ui.widgets.pane_find import FindablePane

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from textual.widgets import Markdown

    from tuireader.ui.links import Link
    from tuireader.ui.reading import ArticleDisplay

EMPTY_HINT = "Select an article and press enter to read it."


class ReadingPane(FindablePane, can_focus=True):
    """Shows one article. j/k ask the screen for the next/previous one; in a search, n/N
    move between its matches (``FindablePane``)."""

    BINDINGS: ClassVar[list[BindingType]] = [*keymap.bindings("reader")]

    DEFAULT_CSS = """
    ReadingPane {
        padding: 0 1;
        #article-header { padding: 1 1 0 1; border-bottom: solid $primary 50%; margin-bottom: 1; }
        #article-body, .article-more { padding: 0; margin: 0; }
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

    @dataclass
    class Scrolled(Message):
        """The reader scrolled down an article (``at_end``: to its last line)."""

        article_id: int
        at_end: bool

        def can_replace(self, message: Message) -> bool:
            return (
                isinstance(message, ReadingPane.Scrolled)
                and message.article_id == self.article_id
                and not message.at_end
            )

    def __init__(self, *, tz: tzinfo | None = None, id: str | None = None) -> None:
        super().__init__(id=id, classes="empty")
        self._tz = tz
        self.shown: ArticleDisplay | None = None
        #: Parts of the body not rendered yet (see ``split_parts``), first one first.
        self._pending: list[str] = []
        #: Link numbers of the document shown, shared by the parsers of its parts, and the
        #: links numbered so far (all the reader can have seen of a long article).
        self._link_numbers: dict[str, int] = {}
        self._links_seen: list[Link] = []
        #: The parts rendered so far, in order.
        self._rendered: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(EMPTY_HINT, style="dim"), id="article-header")
        yield MediaBlock(id="article-media")
        # The body (#article-body) is mounted with the first article: see ``_body``.

    def _parser(self) -> MarkdownIt:
        from tuireader.ui.links import make_parser

        return make_parser(self._links_seen, numbers=self._link_numbers)

    def _markdown(self, text: str = "", *, id: str | None = None) -> Markdown:
        from textual.widgets import Markdown

        classes = None if id else "article-more"
        return Markdown(text, id=id, classes=classes, open_links=False, parser_factory=self._parser)

    def _body(self, text: str) -> AwaitComplete:
        """Show ``text`` as the body, mounting the body's widget the first time."""
        found = self.query("#article-body")
        if found:
            return cast("Markdown", found.first()).update(text)
        if not text:
            return AwaitComplete()  # no article yet: nothing to mount
        body = self._markdown(text, id="article-body")
        return AwaitComplete(self.mount(body, after=self.query_one(MediaBlock)))

    @property
    def links(self) -> tuple[Link, ...]:
        """The shown article's numbered links: all of them, or for a long article those of
        the parts rendered so far (the only numbers the reader has seen)."""
        if self.shown is not None and self.shown.links is not None:
            return self.shown.links
        return tuple(self._links_seen)

    def show(self, display: ArticleDisplay | None) -> None:
        self.shown = display
        header = self.query_one("#article-header", Static)
        self.set_class(display is None, "empty")
        self.scroll_home(animate=False, immediate=True)
        if display is None:
            header.update(Text(EMPTY_HINT, style="dim"))
            self._render_body(None)
            return
        header.update(self.header_text(display))
        self._render_body(display)

    def _render_body(self, display: ArticleDisplay | None) -> AwaitComplete:
        """The first part of the body now; the next parts as the reader nears them."""
        parts = None
        if display is not None and not display.parts:
            from tuireader.ui.reading import split_parts

            parts = split_parts(display.markdown)
        first, *self._pending = parts or (display.parts if display else ("",))
        self._rendered = [first]
        self._link_numbers = {}
        self._links_seen = []
        self.query(".article-more").remove()
        done = self._body(first)
        # (a long article's head has none: they come with the whole, see ``extend``)
        self.query_one(MediaBlock).show(display.media if display else None)
        if self._pending:
            self.call_after_refresh(self._fill)
        return done

    @property
    def rendering(self) -> bool:
        """Whether parts of the article are still to come (it renders as it is read)."""
        return bool(self._pending)

    def _fill(self) -> None:
        """Render the next part when the reader is within two screens of the end."""
        if self._pending and self.max_scroll_y - self.scroll_y < 2 * max(self.size.height, 1):
            part = self._pending.pop(0)
            self._rendered.append(part)
            self.mount(self._markdown(part))
            self.call_after_refresh(self._fill)

    def extend(self, display: ArticleDisplay) -> None:
        """The whole of an article whose head is shown: render on where the head ends.

        The parts already rendered stay (and the reader's place); should they not begin
        the whole text after all, the whole text is shown from the top instead.
        """
        done = len(self._rendered)
        if self.shown is None or list(display.parts[:done]) != self._rendered:
            self.show(display)
            return
        self.shown = display
        self.query_one("#article-header", Static).update(self.header_text(display))
        self._pending = list(display.parts[done:])
        self.query_one(MediaBlock).show(display.media)
        self._fill()

    async def replace_body(self, display: ArticleDisplay) -> None:
        """Show another text of the same article (its page arrived) without moving the reader."""
        scroll_y = self.scroll_y
        self.shown = display
        self.query_one("#article-header", Static).update(self.header_text(display))
        await self._render_body(display)
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.call_after_refresh(self.scroll_to, y=scroll_y, animate=False, immediate=True)

    def refresh_header(self, display: ArticleDisplay) -> None:
        """Redraw the header only (a star, recommend or note changed), keeping the scroll."""
        self.shown = display
        self.query_one("#article-header", Static).update(self.header_text(display))

    def set_note(self, note: str) -> None:
        if self.shown is not None:
            self.refresh_header(replace(self.shown, note=note))

    def header_text(self, display: ArticleDisplay) -> Text:
        """Title, feed and author, date, marks, link, standfirst and where the text is from.

        The page's author, date and standfirst fill in what the feed lacked.
        """
        article = display.article
        page = display.body.full_text if display.body is not None and display.from_page else None
        author = article.author or (page.author if page else None)
        published = article.published or (page.published if page else None)
        text = Text()
        text.append(clean_line(article.title) or "(untitled)", style="bold")
        text.append("\n")
        text.append(clean_line(article.feed_title), style="italic")
        if author:
            text.append(" · by " + clean_line(author))
        text.append("\n")
        details = [full_datetime(published, self._tz), reading_time(display.words)]
        text.append(" · ".join(details), style="dim")
        if article.starred:
            text.append("  ★ Starred", style=self._theme_style("warning"))
        if article.recommended:
            count = max(article.recommend_count, 1)
            text.append(f"  ♥ Recommended ×{count}", style=self._theme_style("accent"))
        link = safe_link(article.link)
        if link:
            text.append("\n")
            text.append(link, style="dim underline")
        if display.why:
            text.append("\n")
            text.append("For you: " + clean_line(display.why), style="italic")
        if page is not None and page.standfirst:
            text.append("\n\n")
            text.append(clean_line(page.standfirst), style="italic")
        if display.note:
            text.append("\n")
            text.append("⤓ " + clean_line(display.note), style="dim italic")
        return self.mark_matches(text)  # a search's matches (pane_find)

    def _theme_style(self, variable: str) -> Style:
        """Bold in a colour of the theme (``$warning``, ``$accent``), not a fixed one."""
        colour = self.app.theme_variables.get(variable)
        return Style(bold=True, color=colour) if colour else Style(bold=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.shown is not None and new_value > old_value:
            self._fill()
            self.post_message(self.Scrolled(self.shown.article.id, self.at_end))

    @property
    def at_end(self) -> bool:
        still_coming = self._pending or (self.shown is not None and self.shown.head)
        return self.scroll_y >= self.max_scroll_y and not still_coming

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
