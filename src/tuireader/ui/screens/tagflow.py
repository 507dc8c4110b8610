"""Tags from the app: ``T`` edits the current article's tags (from the sidebar, a feed's),
in one line of names with completion, and the sidebar lists every tag as a view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label

from tuireader.core import TagChange
from tuireader.sanitize import clean_line
from tuireader.ui.screens.base import ScreenBase
from tuireader.ui.views import ViewKind


def split_tags(text: str) -> list[str]:
    """Tag names typed in one line, comma-separated (blank ones dropped)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def change_line(change: TagChange, what: str) -> str:
    """``Tagged the article: +later -news`` or ``The article's tags did not change``."""
    if not change.added and not change.removed:
        return f"The {what}'s tags did not change."
    words = [f"+{name}" for name in change.added] + [f"-{name}" for name in change.removed]
    return f"Tagged the {what}: {' '.join(clean_line(w) for w in words)}"


class TagSuggester(Suggester):
    """Completes the tag being typed (the last of the line) from the tags in use."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._names = sorted(set(names), key=str.casefold)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        taken = {name.casefold() for name in split_tags(head)}
        for name in self._names:
            if name.casefold().startswith(typed) and name.casefold() not in taken:
                return value[: len(value) - len(typed)] + name
        return None


class TagScreen(ModalScreen[list[str] | None]):
    """One line of tags, comma-separated: what it holds when enter is pressed is the set
    (a name left out is untagged). Right arrow takes a completion."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, what: Text, current: Sequence[str], known: Sequence[str]):
        super().__init__(classes="dialog")
        self._title = title
        self._what = what
        self._current = list(current)
        self._known = list(known)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self._title
            yield Label(self._what)
            yield Label(Text("Tags, separated by commas (→ completes; remove one to untag)"))
            start = ", ".join(self._current) + (", " if self._current else "")
            yield Input(start, suggester=TagSuggester(self._known), id="tags")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(split_tags(event.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.dismiss(split_tags(self.query_one("#tags", Input).value))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagFlow(ScreenBase):
    def action_tag(self) -> None:
        feed_id = self.feed_id()
        article_id = self.current_article_id()
        if feed_id is not None and (self.sidebar.has_focus or article_id is None):
            feed = self.sidebar.feed(feed_id)
            self._ask_tags("feed", feed_id, clean_line(feed.title) if feed else "")
        elif article_id is not None:
            row = self.articles.row(article_id)
            self._ask_tags("article", article_id, clean_line(row.title) if row else "")
        else:
            self.notify("T tags the current article, or from the sidebar a feed: none here.")

    def _ask_tags(self, what: str, key: int, title: str) -> None:
        reader, known = self.reader, self.sidebar.tag_names()

        def loaded(current: list[str]) -> None:
            label = Text(f"The {what} ")
            label.append(title or "(untitled)", style="bold")
            self.app.push_screen(
                TagScreen(f"Tags of the {what}", label, current, known),
                lambda names: self._save_tags(what, key, names),
            )

        self.in_thread(
            lambda: reader.feed_tags(key) if what == "feed" else reader.article_tags(key), loaded
        )

    def _save_tags(self, what: str, key: int, names: list[str] | None) -> None:
        if names is None:
            return
        reader = self.reader

        def job() -> TagChange:
            if what == "feed":
                return reader.set_feed_tags(key, names)
            return reader.set_article_tags(key, names)

        def saved(change: TagChange) -> None:
            self.notify(change_line(change, what))
            if change.added or change.removed:
                self.load_sidebar()
                if self.view.kind is ViewKind.TAG:
                    self.load_view(keep_position=True)

        self.in_thread(job, saved)
