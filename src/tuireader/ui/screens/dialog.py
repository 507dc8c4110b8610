"""A modal page of text the reader scrolls with the reading keys and closes with escape."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

#: The keys that scroll a dialog: the reading pane's, so nothing new to learn.
SCROLL_BINDINGS: list[BindingType] = [
    Binding("j,down", "scroll('down')", "Scroll down", show=False),
    Binding("k,up", "scroll('up')", "Scroll up", show=False),
    Binding("space,pagedown", "scroll('page_down')", "Page down", show=False),
    Binding("b,minus,pageup", "scroll('page_up')", "Page up", show=False),
    Binding("ctrl+d", "scroll('half_down')", "Half a page down", show=False),
    Binding("ctrl+u", "scroll('half_up')", "Half a page up", show=False),
    Binding("G,end", "scroll('end')", "Bottom", show=False),
    Binding("home", "scroll('home')", "Top", show=False),
]


class ScrollingDialog(ModalScreen[None]):
    """Subclasses compose one ``VerticalScroll`` and add their own close keys."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close"), *SCROLL_BINDINGS]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def action_scroll(self, where: str) -> None:
        boxes = self.query(VerticalScroll)
        if not boxes:
            return  # a list dialog (the download queue): its list has its own keys
        box = boxes.first()
        if where.startswith("half_"):
            half = max(1, box.scrollable_content_region.height // 2)
            step = half if where == "half_down" else -half
            box.scroll_to(y=box.scroll_y + step, animate=False, immediate=True)
            return
        {
            "down": box.scroll_down,
            "up": box.scroll_up,
            "page_down": box.scroll_page_down,
            "page_up": box.scroll_page_up,
            "end": box.scroll_end,
            "home": box.scroll_home,
        }[where](animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
