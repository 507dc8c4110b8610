"""The reading pane's media block: a line per enclosure, then the article's images.

Images come as the ``images`` setting says: on demand, a line per image that loads it when
chosen (enter, or a click); auto, the pictures themselves as they arrive. The pictures are
drawn by textual-image (``ui.images``), decoded and scaled in a worker (``ui.media``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tuireader.sanitize import clean_line
from tuireader.ui import images
from tuireader.ui.media import ImageItem, MediaInfo, enclosure_line

#: Rows an image takes at most: a picture never fills the pane and hides the text.
IMAGE_ROWS = 16
#: ... and fewer when the article has more than ``MANY_IMAGES``: its text, below, stays near.
MANY_IMAGES, MANY_IMAGE_ROWS = 3, 8


class ImageLine(Vertical, can_focus=True):
    """One image: its caption line, and the picture once it is loaded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "load", "Load image", show=False),
        Binding("h,escape", "leave", "Back to the text", show=False),
    ]

    DEFAULT_CSS = f"""
    ImageLine {{
        height: auto;
        .image-caption {{ color: $text-muted; }}
        &:focus .image-caption {{ background: $boost; color: $text; }}
        .image-picture {{ width: auto; height: auto; max-height: {IMAGE_ROWS}; }}
    }}
    """

    @dataclass
    class Activated(Message):
        """Load this image (on demand), or try again one that was not shown."""

        article_id: int
        url: str

    def __init__(self, article_id: int, item: ImageItem) -> None:
        super().__init__(classes="image-line")
        self.article_id = article_id
        self.item = item
        self.fetching = False

    def compose(self) -> ComposeResult:
        yield Static(self.caption(), classes="image-caption", markup=False)

    def on_mount(self) -> None:
        if self.item.picture is not None:
            self._draw()

    def caption(self) -> Text:
        label = clean_line(self.item.ref.label)[:120] or "🖼 Image"
        text = Text(label)
        if self.item.error:
            text.append(f" · not shown: {clean_line(self.item.error)[:80]}", style="italic")
        if self.fetching:
            text.append(" · loading…", style="dim italic")
        elif self.item.error:
            text.append(" · enter tries again", style="dim italic")
        elif self.item.picture is None:
            text.append(" · enter loads it", style="dim italic")
        return text

    def set_fetching(self) -> None:
        self.fetching = True
        self.query_one(".image-caption", Static).update(self.caption())

    def set_item(self, item: ImageItem) -> None:
        self.item = item
        self.fetching = False
        self.query_one(".image-caption", Static).update(self.caption())
        if item.picture is not None:
            self._draw()

    def _draw(self) -> None:
        widget = images.widget_class()
        if widget is None or self.query(".image-picture"):
            return
        picture = widget(self.item.picture, classes="image-picture")
        self.mount(picture)

    def action_load(self) -> None:
        if self.item.picture is None and not self.fetching:
            self.post_message(self.Activated(self.article_id, self.item.ref.url))

    def action_leave(self) -> None:
        """Back to the reading pane (the screen's back key then works from there)."""
        for ancestor in self.ancestors:
            if isinstance(ancestor, Widget) and ancestor.can_focus:
                ancestor.focus()
                return

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_load()


class MediaBlock(Vertical):
    """Enclosure lines and image lines of the article shown; hidden when it has none."""

    DEFAULT_CSS = f"""
    MediaBlock {{
        height: auto;
        display: none;
        margin-bottom: 1;
        &.shown {{ display: block; }}
        &.many-images .image-picture {{ max-height: {MANY_IMAGE_ROWS}; }}
        #media-enclosures {{ height: auto; }}
        #media-note {{ color: $text-muted; text-style: italic; }}
    }}
    """

    @dataclass
    class Shown(Message):
        """An article's media are on screen (the screen fetches what ``auto`` wants)."""

        info: MediaInfo

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info: MediaInfo | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="media-enclosures", markup=False)
        yield Static("", id="media-note", markup=False)

    def show(self, info: MediaInfo | None) -> None:
        """A new article (or the same one with another text): redraw every line; the same
        images as shown keep their lines (a download ended: only its line changes)."""
        before, self.info = self.info, info
        if info is not None and before is not None and _same_images(before, info):
            self._draw_enclosures()
            return
        self.query(ImageLine).remove()
        self._draw_enclosures()
        note = ""
        if info is not None and info.data_saver:
            note = "Images are off for this feed (data saver)."
        self.query_one("#media-note", Static).update(note)
        self.query_one("#media-note", Static).display = bool(note)
        if info is not None and info.images_mode != "off":
            self.mount_all(ImageLine(info.article_id, item) for item in info.images)
        self.set_class(info is not None and (not info.empty or bool(note)), "shown")
        self.set_class(info is not None and len(info.images) > MANY_IMAGES, "many-images")
        if info is not None:
            self.post_message(self.Shown(info))

    def _draw_enclosures(self) -> None:
        info = self.info
        lines = Text()
        if info is not None:
            for number, state in enumerate(info.enclosures, start=1):
                if lines:
                    lines.append("\n")
                lines.append_text(enclosure_line(state, number, info.progress.get(state.url)))
            if info.enclosures:
                lines.append("\n")
                lines.append("D downloads · P plays · E lists downloads", style="dim")
        widget = self.query_one("#media-enclosures", Static)
        widget.update(lines)
        widget.display = bool(lines)

    def set_progress(self, url: str, done: int, total: int | None) -> None:
        if self.info is None or not any(e.url == url for e in self.info.enclosures):
            return
        self.info = replace(self.info, progress={**self.info.progress, url: (done, total)})
        self._draw_enclosures()

    def mark_fetching(self, article_id: int, urls: list[str]) -> None:
        """These images are being fetched: their lines say so."""
        if self.info is None or self.info.article_id != article_id:
            return
        for line in self.query(ImageLine):
            if line.item.ref.url in urls:
                line.set_fetching()

    def image_loaded(self, article_id: int, item: ImageItem) -> None:
        if self.info is None or self.info.article_id != article_id:
            return
        for line in self.query(ImageLine):
            if line.item.ref.url == item.ref.url:
                line.set_item(item)


def _same_images(before: MediaInfo, after: MediaInfo) -> bool:
    return (
        before.article_id == after.article_id
        and before.images_mode == after.images_mode
        and [i.ref for i in before.images] == [i.ref for i in after.images]
    )
