"""The reading side of the main screen: the current article, opening it, and its marks.

The current article is the list's cursor. Opening shows it in the reading pane; moving the
cursor to another article closes it, so the pane shows the current article or is visibly
empty, and every article key acts on the one current article.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on
from textual.timer import Timer
from textual.worker import get_current_worker

from tuireader.models import ArticleSummary
from tuireader.sanitize import safe_link
from tuireader.store import StoreError
from tuireader.ui.read_signals import ReadSignal, ReadTracker
from tuireader.ui.screens.base import Done, one_line
from tuireader.ui.screens.sync_form import show_sync_status  # [sync]
from tuireader.ui.screens.textflow import TextFlow
from tuireader.ui.widgets.article_list import ArticleList
from tuireader.ui.widgets.reading_pane import ReadingPane

if TYPE_CHECKING:
    from tuireader.ui.reading import ArticleDisplay


class ReadFlow(TextFlow):
    _read_timer: Timer | None = None
    _tracker: ReadTracker
    #: The read mark failed to save once already (disk full?): said once, not per article.
    _mark_failure_said = False
    #: The footer's hidden keys when the current article last changed (``footer_hides``).
    _footer_hidden: frozenset[str] | None = None

    # --- the current article ---

    @on(ArticleList.Highlighted)
    def _article_highlighted(self, event: ArticleList.Highlighted) -> None:
        # The list's cursor is the truth: a message from a key before this one is stale.
        self.current_id = self.articles.current_id

    def watch_current_id(self, old: int | None, current: int | None) -> None:
        if self.open_id is not None and current != self.open_id:
            self.close_article()
        # The article keys come or go with a current article (check_action), the episode
        # keys with its enclosures (footer_hides); j from one article to a like one leaves
        # the keys as they are, and the footer's check of its keys at every j cost.
        hides = getattr(self, "footer_hides", None)
        hidden = hides() if hides is not None else None
        if (old is None) != (current is None) or hidden != self._footer_hidden:
            self._footer_hidden = hidden
            self.refresh_bindings()

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
            self.set_focus(self.reader_pane)  # now: keys typed next are the reader's
        mark_read = self.reader.config.mark_read == "on_open"
        reader = self.reader

        def job() -> tuple[ArticleDisplay, str | None]:
            # Here, in the worker: the HTML and Markdown modules load with the first article.
            from tuireader.ui.reading import prepare_article, prepare_head

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
        if self.has_class("narrow") and self.reader_pane.has_focus:
            self.set_focus(self.articles)  # the pane hides: the keys go back to the list
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
        show_sync_status(self, self.status_line.synced)  # [sync] queued changes

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
        show_sync_status(self, self.status_line.synced)  # [sync] queued changes
