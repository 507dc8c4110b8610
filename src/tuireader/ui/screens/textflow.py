"""The current article's text and links: feed text or the page's full text (t, F), and
its links (L, 1-9, y). ``ReadFlow`` builds on it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work

from tuireader.humanize import format_bytes
from tuireader.models import ArticleSummary, FeedError, FullTextMode
from tuireader.sanitize import clean_line, safe_link
from tuireader.store import StoreError
from tuireader.ui.read_signals import ReadTracker
from tuireader.ui.screens.base import ScreenBase, one_line
from tuireader.ui.views import ViewKind

if TYPE_CHECKING:
    from tuireader.ui.reading import ArticleDisplay

FULL_TEXT_CYCLE = (FullTextMode.AUTO, FullTextMode.ALWAYS, FullTextMode.NEVER)
FULL_TEXT_MEANING = {
    FullTextMode.AUTO: "fetch the page when the feed sends a teaser",
    FullTextMode.ALWAYS: "always fetch the page",
    FullTextMode.NEVER: "only the feed's text",
}


class TextFlow(ScreenBase):
    _tracker: ReadTracker

    def current_row(self) -> ArticleSummary | None:
        article_id = self.current_article_id()
        return self.articles.row(article_id) if article_id is not None else None

    def shown_current(self) -> ArticleDisplay | None:
        """The reading pane's article when it is the current one (else None)."""
        shown = self.reader_pane.shown
        current = self.current_article_id()
        return shown if shown is not None and shown.article.id == current else None

    def _needs_open(self, what: str) -> None:
        self.notify(f"Press enter to read the article first; then {what}.", timeout=4)

    def _why(self, article_id: int) -> str:
        """Why For you listed this article ("" outside For you)."""
        if self.view.kind is not ViewKind.FOR_YOU:
            return ""
        note = self.articles.note(article_id)
        return note.why if note is not None else ""

    # --- full text ---

    @work(exclusive=True, group="page", exit_on_error=False)
    async def _fetch_page(self, article_id: int) -> None:
        """Fetch the open article's page; the teaser stays on screen until it arrives."""
        reader = self.reader
        try:
            full = await reader.fetch_full_text(article_id)
        except FeedError as error:
            if self.open_id == article_id:
                self.reader_pane.set_note(f"couldn't fetch the page: {one_line(error)}")
            return
        except StoreError as error:  # fetched, but not stored (a full disk)
            if self.open_id == article_id:
                self.reader_pane.set_note(f"couldn't save the page: {one_line(error)}")
            return
        if self.open_id != article_id:
            return  # the reader moved on: drop it
        if full.bytes_downloaded:
            self.status_line.page_fetched(full.bytes_downloaded, saved=bool(full.markdown))
        size = format_bytes(full.bytes_downloaded)
        if not full.markdown:
            reason = one_line(full.error or "no article on the page")
            self.reader_pane.set_note(f"couldn't fetch the page: {reason}, showing the feed's text")
            return
        from tuireader.ui.reading import prepare_article

        display = await asyncio.to_thread(prepare_article, reader, article_id)
        if display is None or self.open_id != article_id:
            return
        note = f"full text from the page · {size} · t shows the feed's text"
        await self.reader_pane.replace_body(replace(display, note=note, why=self._why(article_id)))
        self._tracker.loaded(article_id, display.words)

    def action_toggle_text(self) -> None:
        shown = self.shown_current()
        if shown is None:
            self._needs_open("t switches between the feed's and the page's text")
            return
        from tuireader.ui.reading import prepare_article

        self.workers.cancel_group(self, "page")
        article_id, prefer_page, reader = shown.article.id, not shown.from_page, self.reader
        self.in_thread(
            lambda: prepare_article(reader, article_id, prefer_page=prefer_page),
            lambda display: self._text_ready(display, prefer_page),
            group="article",
            exclusive=True,
        )

    def _text_ready(self, display: ArticleDisplay | None, prefer_page: bool) -> None:
        if display is None or display.article.id != self.open_id:
            return
        display = replace(display, why=self._why(display.article.id))
        if prefer_page and not display.from_page:
            # Asked for the page and none is cached: fetch it, whatever the feed's mode.
            display = replace(display, note="the feed's text · fetching the page…")
            self.reader_pane.show(display)
            self._fetch_page(display.article.id)
            return
        self.reader_pane.show(display)

    def action_full_text_mode(self) -> None:
        row = self.current_row()
        if row is None:
            self.notify("F sets the current article's feed's full text: no article here.")
            return
        feed_id, reader = row.feed_id, self.reader

        def job() -> tuple[FullTextMode, str]:
            mode = reader.feed(feed_id).full_text
            new = FULL_TEXT_CYCLE[(FULL_TEXT_CYCLE.index(mode) + 1) % len(FULL_TEXT_CYCLE)]
            return new, reader.update_feed(feed_id, full_text=new).title

        self.in_thread(job, lambda done: self._full_text_mode_changed(feed_id, *done))

    def _full_text_mode_changed(self, feed_id: int, mode: FullTextMode, title: str) -> None:
        self.notify(
            f"Full text for {clean_line(title)[:50]}: {mode.value} ({FULL_TEXT_MEANING[mode]})."
        )
        shown = self.shown_current()
        if (
            mode is FullTextMode.ALWAYS
            and shown is not None
            and shown.article.feed_id == feed_id
            and not shown.from_page
        ):
            self._fetch_page(shown.article.id)

    # --- links ---

    def action_copy_link(self) -> None:
        row = self.current_row()
        link = safe_link(row.link) if row else None
        if link is None:
            self.notify("This article has no web link.", severity="warning")
            return
        self.app.copy_to_clipboard(link)
        self.notify(Text.assemble("Copied ", (link, "underline")).plain)

    def action_open_link(self, number: int) -> None:
        shown = self.shown_current()
        if shown is None:
            self._needs_open(f"{number} opens its link {number}")
            return
        links = self.reader_pane.links
        link = next((link for link in links if link.number == int(number)), None)
        if link is None:
            self.notify(f"This article has no link {number}.", severity="warning")
            return
        self.ctx.open_external(link.url)

    def action_links(self) -> None:
        shown = self.shown_current()
        if shown is None:
            self._needs_open("L lists its links")
            return
        links = self.reader_pane.links
        if not links:
            self.notify("This article has no links.")
            return

        from tuireader.ui.screens.prompts import LinkPicker

        def chosen(url: str | None) -> None:
            if url:
                self.ctx.open_external(url)

        self.app.push_screen(LinkPicker(links), chosen)
