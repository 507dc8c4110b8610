"""What the reading pane shows of an article's media, prepared off the event loop.

Its enclosures (podcast episodes and other attachments) with what was done with each, and
its images as the ``images`` setting wants them: none, a line per image, or the images.
Images are decoded here, in the worker, into small pictures the pane only draws.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text

from tuireader.humanize import format_bytes
from tuireader.sanitize import clean_line

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from tuireader.core import Reader
    from tuireader.media.images import ImageRef
    from tuireader.store import EnclosureState, StoredImage

#: Images are scaled down to this many pixels wide before the pane gets them: a terminal
#: shows a few hundred at most, and scaling a 4000-pixel photo on the event loop stalls it.
THUMBNAIL_PIXELS = 800
#: The images modes ``images`` and the app's key cycle through, in order.
IMAGE_MODES = ("off", "on-demand", "auto")


@dataclass(frozen=True, slots=True)
class ImageItem:
    ref: ImageRef
    #: The picture, scaled down, once it is stored; None before (or when refused).
    picture: PILImage | None = None
    #: Why it is not shown (refused when fetched: "a tracking pixel", "not a picture").
    error: str | None = None
    #: Whether the store has an answer for it (a picture or a refusal).
    stored: bool = False


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """An article's enclosures and images, for the pane's media block."""

    article_id: int
    enclosures: tuple[EnclosureState, ...] = ()
    #: The images mode for this article: the setting, or "off" for a data-saver feed.
    images_mode: str = "off"
    images: tuple[ImageItem, ...] = ()
    data_saver: bool = False
    #: Where each running download stands: url -> (bytes so far, expected total).
    progress: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.enclosures and not self.images


def prepare_media(reader: Reader, article_id: int, feed_id: int, markdown: str) -> MediaInfo:
    """Enclosure states and images of the text shown (call it from a thread: it reads the
    store and decodes images)."""
    enclosures = tuple(reader.episodes.states(article_id))
    mode = reader.images_mode(feed_id)
    data_saver = mode == "off" and reader.config.images != "off"
    images: tuple[ImageItem, ...] = ()
    if mode != "off":
        images = tuple(
            image_item(ref, stored) for ref, stored in reader.article_images(article_id, markdown)
        )
    return MediaInfo(article_id, enclosures, mode, images, data_saver)


def image_item(ref: ImageRef, stored: StoredImage | None, *, fetched: bool = False) -> ImageItem:
    """What the pane shows for an image: its picture, why not, or (not stored yet, and not
    just ``fetched``) a line to load it."""
    if stored is None:
        if fetched:
            return ImageItem(ref, error="could not be fetched", stored=True)
        return ImageItem(ref)
    if stored.data is None:
        return ImageItem(ref, error=stored.error or "not shown", stored=True)
    try:
        return ImageItem(ref, picture=thumbnail(stored.data), stored=True)
    except ValueError as error:
        return ImageItem(ref, error=str(error), stored=True)


def thumbnail(data: bytes) -> PILImage:
    """Decode stored image bytes (checked when they were fetched) into a small RGB(A)
    picture; ValueError with one line when they no longer decode."""
    from PIL import Image

    from tuireader.media.images import ALLOWED_FORMATS, ImageRefused, check_image

    try:
        check_image(data)  # again: the store is a file anyone could have written to
        with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_FORMATS)) as image:
            image.draft("RGB", (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            picture = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except ImageRefused as refused:
        raise ValueError(str(refused)) from None
    except (OSError, SyntaxError, EOFError):
        raise ValueError("the stored image no longer decodes") from None
    picture.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    return picture


def next_images_mode(mode: str) -> str:
    if mode not in IMAGE_MODES:
        return "off"
    return IMAGE_MODES[(IMAGE_MODES.index(mode) + 1) % len(IMAGE_MODES)]


def format_duration(seconds: float) -> str:
    """``41:12`` or ``1:02:05``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def enclosure_line(
    state: EnclosureState, number: int | None, progress: tuple[int, int | None] | None = None
) -> Text:
    """``▶ 1  audio/mpeg · 37.7 MB · 41:12 · downloaded · at 12:30``: one enclosure.

    The type and every other word from the feed are plain text (never markup)."""
    kind = clean_line(state.type or "")[:40] or "attachment"
    text = Text(f"▶ {number}  " if number is not None else "", style="bold")
    text.append(kind, style="")
    size = state.total or state.length
    if size:
        text.append(f" · {format_bytes(size)}")
    if state.duration:
        text.append(f" · {format_duration(state.duration)}")
    text.append(" · ")
    text.append_text(_download_words(state, progress))
    if state.played:
        text.append(" · played", style="dim")
    elif state.position:
        text.append(f" · stopped at {format_duration(state.position)}", style="italic")
    return text


def _download_words(state: EnclosureState, progress: tuple[int, int | None] | None) -> Text:
    if progress is not None:
        done, total = progress
        if not done and total is None:
            return Text("waiting for the server", style="italic")
        of = f" of {format_bytes(total)}" if total else ""
        return Text(f"downloading {format_bytes(done)}{of}", style="bold")
    if state.download == "done":
        return Text("downloaded", style="bold")
    if state.download == "queued":
        return Text("queued", style="italic")
    if state.download == "failed":
        return Text("download failed: " + clean_line(state.error or "")[:80], style="italic")
    return Text("not downloaded", style="dim")
