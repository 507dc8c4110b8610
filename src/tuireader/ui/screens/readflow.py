"""The reading side of the main screen: the current article, its text, links and marks.

The current article is the list's cursor. Opening shows it in the reading pane; moving the
cursor to another article closes it, so the pane shows the current article or is visibly
empty, and every article key acts on the one current article.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.timer import Timer
from textual.worker import get_current_worker

from tuireader.humanize import format_bytes
from tuireader.models import ArticleSummary, FeedError, FullTextMode
from tuireader.sanitize import clean_line, safe_link
from tuireader.store import StoreError
from tuireader.ui.read_signals import ReadSignal, ReadTracker
from tuireader.ui.reading import ArticleDisplay, prepare_article, prepare_head
from tuireader.ui.screens.base import Done, ScreenBase, one_line
from tuireader.ui.screens.prompts import LinkPicker
from tuireader.ui.views import ViewKind
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.reading_pane import ReadingPane

FULL_TEXT_CYCLE = (FullTextMode.AUTO, FullTextMode.ALWAYS, FullTextMode.NEVER)
FULL_TEXT_MEANING = {
    FullTextMode.AUTO: "fetch the page when the feed sends a teaser",
    FullTextMode.ALWAYS: "always fetch the page",
    FullTextMode.NEVER: "only the feed's text",
}


class ReadFlow(ScreenBase):
    _read_timer: Timer | None = None
    _tracker: ReadTracker
    #: The read mark failed to save once already (disk full?): said once, not per article.
    _mark_failure_said = False

    # --- the current article ---

    @on(ArticleList.Highlighted)
    def _article_highlighted(self, event: ArticleList.Highlighted) -> None:
        # The list's cursor is the truth: a message from a key before this one is stale.
        self.current_id = self.articles.current_id

    def watch_current_id(self, current: int | None) -> None:
        if self.open_id is not None and current != self.open_id:
            self.close_article()
        self.refresh_bindings()

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

    # --- opening and closing ---

    @on(ArticleList.Opened)
    def _article_opened(self, event: ArticleList.Opened) -> None:
        self.open_article(event.article_id)

    def open_article(self, article_id: int, *, focus: bool = True) -> None:
        self.open_id = article_id
        self.articles.select_id(article_id)
        self._stop_read_timer()
        self.workers.cancel_group(self, "page")
        self._record(self._tracker.start(article_id))
        self.add_class("reading")
        if focus:
            self.reader_pane.focus()
        mark_read = self.reader.config.mark_read == "on_open"
        reader = self.reader

        def job() -> tuple[ArticleDisplay, str | None]:
            head = prepare_head(reader, article_id)
            if head is not None and not get_current_worker().is_cancelled:
                self.post_message(Done(self._head_loaded, head))
            display = prepare_article(reader, article_id)
            if display is None:
                raise StoreError("that article is gone (its feed was removed?)")
            # Reading never waits on a write: a failed mark (disk full) is said, not fatal.
            try:
                reader.open_article(article_id, mark_read=mark_read)
            except StoreError as error:
                return display, one_line(error)
            return display, None

        self.in_thread(
            job,
            lambda done: self._article_loaded(*done, mark_read),
            group="article",
            exclusive=True,
        )

    def _article_loaded(self, display: ArticleDisplay, failure: str | None, marked: bool) -> None:
        if display.article.id != self.open_id:
            return
        display = replace(display, why=self._why(display.article.id))
        shown = self.reader_pane.shown
        if shown is not None and shown.head and shown.article.id == display.article.id:
            self.reader_pane.extend(display)
        else:
            self.reader_pane.show(display)
        self._tracker.loaded(display.article.id, display.words)
        if display.wants_page:
            self._fetch_page(display.article.id)
        self.refresh_bindings()
        if failure is not None:
            self._background_write_failed(failure, "the read mark")
            return
        config = self.reader.config
        if marked and not display.article.read:
            self.changed_read([display.article.id], True)
        elif config.mark_read == "after_delay" and not display.article.read:
            article_id = display.article.id
            self._read_timer = self.set_timer(
                max(config.mark_read_delay, 0.01), lambda: self._mark_read_later(article_id)
            )

    def _head_loaded(self, display: ArticleDisplay) -> None:
        """A long article's head: on screen at once, the rest follows (``extend``)."""
        shown = self.reader_pane.shown
        if display.article.id == self.open_id and (
            shown is None or shown.article.id != display.article.id
        ):
            self.reader_pane.show(replace(display, why=self._why(display.article.id)))

    def close_article(self) -> None:
        """Leave the open article: the reading pane empties (it shows only the current one)."""
        self.remove_class("reading")
        if self.open_id is None and self.reader_pane.shown is None:
            return
        self._leave_article()
        self._stop_read_timer()
        self.workers.cancel_group(self, "page")
        self.workers.cancel_group(self, "article")
        self.open_id = None
        self.reader_pane.show(None)
        self.refresh_bindings()

    def refresh_open_article(self) -> None:
        """Another process changed the library: redraw the open article's marks."""
        shown = self.reader_pane.shown
        if shown is None:
            return
        article_id, reader = shown.article.id, self.reader

        def job() -> ArticleSummary | None:
            rows = reader.summaries([article_id])
            return rows[0] if rows else None

        def got(row: ArticleSummary | None) -> None:
            now = self.reader_pane.shown
            if row is None or now is None or now.article.id != row.id:
                return
            article = replace(
                now.article, read=row.read, starred=row.starred, recommended=row.recommended
            )
            self.reader_pane.refresh_header(replace(now, article=article))

        self.in_thread(job, got)

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _why(self, article_id: int) -> str:
        """Why For you listed this article ("" outside For you)."""
        if self.view.kind is not ViewKind.FOR_YOU:
            return ""
        note = self.articles.note(article_id)
        return note.why if note is not None else ""

    def _mark_read_later(self, article_id: int) -> None:
        if self.open_id == article_id:
            self._set_read([article_id], True, opened=True)

    @on(ReadingPane.Step)
    def _step(self, event: ReadingPane.Step) -> None:
        index = self.articles.cursor + event.step
        if 0 <= index < len(self.articles.ids):
            self.open_article(self.articles.ids[index])

    @on(ReadingPane.LinkClicked)
    def _link_clicked(self, event: ReadingPane.LinkClicked) -> None:
        self.ctx.open_external(event.url)

    # --- read signals ---

    @on(ReadingPane.Scrolled)
    def _scrolled(self, event: ReadingPane.Scrolled) -> None:
        self._record(self._tracker.scrolled(event.article_id, at_end=event.at_end))

    def _leave_article(self) -> None:
        self._record(self._tracker.leave())

    def _record(self, signal: ReadSignal | None) -> None:
        if signal is not None:
            article_id, kind = signal
            reader = self.reader

            def job() -> str | None:
                try:
                    reader.record_event(kind, article_id=article_id)
                except StoreError as error:
                    return one_line(error)
                return None

            self.in_thread(job, self._background_write_failed)

    def _background_write_failed(self, failure: str | None, what: str = "what you read") -> None:
        """A write the reader did not ask for failed (disk full?): said once, not per key."""
        if failure is not None and not self._mark_failure_said:
            self._mark_failure_said = True
            self.notify(f"Could not save {what}: {failure}", severity="warning", timeout=8)

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
        if self.open_id != article_id:
            return  # the reader moved on: drop it
        if full.bytes_downloaded:
            self.status_line.page_fetched(full.bytes_downloaded)
        size = format_bytes(full.bytes_downloaded)
        if not full.markdown:
            reason = one_line(full.error or "no article on the page")
            self.reader_pane.set_note(f"couldn't fetch the page: {reason}, showing the feed's text")
            return
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

        def chosen(url: str | None) -> None:
            if url:
                self.ctx.open_external(url)

        self.app.push_screen(LinkPicker(links), chosen)

    # --- marks ---

    def action_open_browser(self) -> None:
        row = self.current_row()
        link = safe_link(row.link) if row else None
        if link is None:
            self.notify("This article has no web link.", severity="warning")
            return
        self.ctx.open_external(link)

    def action_toggle_read(self) -> None:
        row = self.current_row()
        if row is not None:
            self._set_read([row.id], not row.read)

    def action_star(self) -> None:
        row = self.current_row()
        if row is not None:
            self._set_flag(row.id, "starred", not row.starred)

    def action_recommend(self) -> None:
        row = self.current_row()
        if row is not None:
            self._set_flag(row.id, "recommended", not row.recommended)

    def _set_read(self, ids: list[int], read: bool, opened: bool = False) -> None:
        reader = self.reader
        self.in_thread(
            lambda: reader.set_read(ids, read, opened=opened),
            lambda changed: self.changed_read(changed, read),
        )

    def changed_read(self, ids: list[int], read: bool) -> None:
        for article_id in ids:
            self.articles.patch_row(article_id, read=read)
        shown = self.reader_pane.shown
        if shown is not None and shown.article.id in ids:
            self.reader_pane.shown = replace(shown, article=replace(shown.article, read=read))
        self.load_sidebar()

    def _set_flag(self, article_id: int, flag: str, value: bool) -> None:
        reader = self.reader
        self.in_thread(
            lambda: reader.set_flag(article_id, flag, value),
            lambda _: self._flag_changed(article_id, flag, value),
        )

    def _flag_changed(self, article_id: int, flag: str, value: bool) -> None:
        self.articles.patch_row(article_id, **{flag: value})
        shown = self.reader_pane.shown
        if shown is not None and shown.article.id == article_id:
            article = replace(shown.article, **{flag: value})  # type: ignore[arg-type]
            if flag == "recommended":
                article = replace(article, recommend_count=int(value))
            self.reader_pane.refresh_header(replace(shown, article=article))
        self.load_sidebar()
