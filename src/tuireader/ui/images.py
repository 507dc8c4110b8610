"""textual-image, loaded once and only when images are on.

Importing ``textual_image`` asks the terminal what it can draw (Sixel? the Kitty graphics
protocol? its cell size in pixels) and reads the answers from stdin, which only works
before Textual owns the terminal. So ``run_app`` calls :func:`start_loading` in a thread
before the app starts (its query overlaps the app's own start-up), and never when images are
off; turning images on later in the app loads it with the app suspended (see MediaFlow).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widget import Widget

    #: textual-image's widget classes take the picture first: ``Image(picture, classes=...)``.
    ImageWidget = Callable[..., Widget]

#: The renderers a test or a screenshot can force (textual-image's own widget classes).
RENDERERS = ("auto", "halfcell", "tgp", "sixel", "unicode")

_lock = threading.Lock()
_widget: ImageWidget | None = None


def load(renderer: str = "auto") -> ImageWidget:
    """Import textual-image (it queries the terminal on first import) and pick its widget:
    ``auto`` is the best the terminal answered to; the others force one way of drawing."""
    global _widget
    with _lock:
        from textual_image import widget

        chosen: ImageWidget = {
            "auto": widget.Image,
            "halfcell": widget.HalfcellImage,
            "tgp": widget.TGPImage,
            "sixel": widget.SixelImage,
            "unicode": widget.UnicodeImage,
        }[renderer]
        _widget = chosen
        return chosen


def start_loading() -> threading.Thread:
    """Load in a thread; the caller joins it before the app takes the terminal."""

    def run() -> None:
        # A terminal that answers nothing useful: the pane then says images cannot show.
        with contextlib.suppress(Exception):
            load()

    loader = threading.Thread(target=run, name="textual-image", daemon=True)
    loader.start()
    return loader


def widget_class() -> ImageWidget | None:
    """The image widget, or None while textual-image is not loaded."""
    return _widget


def loaded() -> bool:
    return _widget is not None
