"""Several articles at once: ``v`` selects rows, then ``s``, ``m``, ``r`` (and ``|``) act on
all of them in one store transaction, off the event loop, and the selection empties.

With nothing selected each key acts on the current article exactly as before (issue 15's
one current article): the selection only widens what a key does.
"""

from __future__ import annotations

from dataclasses import replace

from textual.reactive import reactive

from tuireader.humanize import plural
from tuireader.ui import data
from tuireader.ui.screens.readflow import ReadFlow
from tuireader.ui.screens.sync_form import show_sync_status  # [sync]
from tuireader.ui.selection import Selection

#: What each flag's bulk change says, (on, off).
_FLAG_WORDS = {"starred": ("Starred", "Unstarred"), "recommended": ("Recommended", "Took back")}


class SelectFlow(ReadFlow):
    #: How many rows are selected (the list title shows it).
    selected_count: reactive[int] = reactive(0, init=False)
    _selection: Selection | None = None

    @property
    def selection(self) -> Selection:
        if self._selection is None:
            self._selection = Selection()
        return self._selection

    def on_mount(self) -> None:
        self.articles.selected = self.selection

    def target_ids(self) -> list[int]:
        """What an article key acts on: the selected rows, else the current article."""
        if self.selection:
            return list(self.selection)
        current = self.current_article_id()
        return [current] if current is not None else []

    def action_toggle_select(self) -> None:
        current = self.current_article_id()
        if current is None:
            return
        self.selection.toggle(current)
        self.articles.refresh_row(self.articles.cursor)
        self.selected_count = len(self.selection)
        self.articles.action_cursor_down()

    def drop_selection(self) -> bool:
        if not self.selection:
            return False
        self.selection.clear()
        self.selected_count = 0
        self.articles.refresh()
        return True

    def view_loaded(
        self,
        generation: int,
        contents: data.ViewContents,
        keep_position: bool,
        keep_index: bool = False,
    ) -> None:
        super().view_loaded(generation, contents, keep_position, keep_index)
        if generation != self._generation:
            return
        if keep_position:
            self.selection.keep_only(set(contents.ids))
        else:
            self.selection.clear()  # another view: its rows are others
        self.selected_count = len(self.selection)

    # --- the article keys, on the selection when there is one ---

    def action_star(self) -> None:
        if self.selection:
            self._flag_selected("starred")
        else:
            super().action_star()

    def action_recommend(self) -> None:
        if self.selection:
            self._flag_selected("recommended")
        else:
            super().action_recommend()

    def action_toggle_read(self) -> None:
        if not self.selection:
            super().action_toggle_read()
            return
        ids, reader = list(self.selection), self.reader

        def job() -> tuple[bool, list[int]]:
            # Read when any is unread (as mutt and mail readers do), else all unread again.
            read = any(not row.read for row in reader.summaries(ids))
            return read, reader.set_read(ids, read)

        def done(result: tuple[bool, list[int]]) -> None:
            read, changed = result
            self.changed_read(changed, read)
            state = "read" if read else "unread"
            self._selection_done(f"Marked {plural(len(ids), 'article')} {state}.")

        self.in_thread(job, done)

    def _flag_selected(self, flag: str) -> None:
        ids, reader = list(self.selection), self.reader

        def job() -> tuple[bool, list[int]]:
            value = any(not getattr(row, flag) for row in reader.summaries(ids))
            return value, reader.set_flag_many(ids, flag, value)

        def done(result: tuple[bool, list[int]]) -> None:
            value, changed = result
            for article_id in changed:
                self.articles.patch_row(article_id, **{flag: value})
            shown = self.reader_pane.shown
            if shown is not None and shown.article.id in changed:
                article = replace(shown.article, **{flag: value})  # type: ignore[arg-type]
                if flag == "recommended":
                    article = replace(article, recommend_count=int(value))
                self.reader_pane.refresh_header(replace(shown, article=article))
            self.load_sidebar()
            show_sync_status(self, self.status_line.synced)  # [sync] queued changes
            word = _FLAG_WORDS[flag][0 if value else 1]
            self._selection_done(f"{word} {plural(len(ids), 'article')}.")

        self.in_thread(job, done)

    def _selection_done(self, said: str) -> None:
        self.drop_selection()
        self.notify(said, timeout=3)
