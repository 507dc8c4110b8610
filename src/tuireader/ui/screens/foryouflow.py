"""For you's own actions: less like this (x), and taking it back (u)."""

from __future__ import annotations

from tuireader.ui import data
from tuireader.ui.screens.base import ScreenBase
from tuireader.ui.views import ViewKind


class ForYouFlow(ScreenBase):
    def action_less_like(self) -> None:
        if self.view.kind is not ViewKind.FOR_YOU:
            self.notify("x (less like this) works in For you, where articles are ranked.")
            return
        article_id = self.current_article_id()
        if article_id is None:
            return
        generation, for_you = self._generation, self.ctx.for_you

        def job() -> data.ViewContents:
            """Record "less like this" and re-rank at once, the cursor staying on its row."""
            for_you.less_like(article_id)
            return data.for_you_contents(for_you)

        self.in_thread(
            job,
            lambda contents: self._less_liked(generation, contents, article_id),
            group="view",
            exclusive=True,
        )

    def _less_liked(self, generation: int, contents: data.ViewContents, article_id: int) -> None:
        self.view_loaded(generation, contents, keep_position=True, keep_index=True)
        self.set_undo(lambda: self._take_back(article_id))
        self.notify("Fewer like that one from now on. Press u to undo.", timeout=4)

    def _take_back(self, article_id: int) -> None:
        generation, for_you = self._generation, self.ctx.for_you

        def job() -> data.ViewContents:
            for_you.undo_less_like(article_id)
            return data.for_you_contents(for_you)

        self.in_thread(
            job,
            lambda contents: self._taken_back(generation, contents),
            group="view",
            exclusive=True,
        )

    def _taken_back(self, generation: int, contents: data.ViewContents) -> None:
        if self.view.kind is ViewKind.FOR_YOU:
            self.view_loaded(generation, contents, keep_position=True, keep_index=True)
        self.notify("Taken back: that article is suggested again.", timeout=3)
