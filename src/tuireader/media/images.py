"""Images of an article: found in its Markdown, fetched within caps, checked, cached.

Images are untrusted input for an image decoder, so each one is contained before anything
decodes it: only http(s) sources, tracking pixels never fetched (the HTML converter already
drops 1x1 and known trackers), a byte cap on the download, only raster formats Pillow reads
safely (no SVG: it is a document, not a picture), and Pillow's pixel limit turned into an
error so a decompression bomb is refused instead of filling memory. What passes is kept in
the store with the article, so it shows offline too.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from tuireader.fetch import Fetcher
from tuireader.htmlmd import IMAGE_LABEL
from tuireader.sanitize import is_safe_link
from tuireader.store import Store

#: Largest image file fetched.
MAX_IMAGE_BYTES = 3 * 2**20
#: Largest image decoded (width x height); a bomb declares far more.
MAX_IMAGE_PIXELS = 24_000_000
#: What Pillow may open; anything else (SVG, PDF, icons with odd codecs) is refused.
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "BMP"})
IMAGE_ACCEPT = "image/avif;q=0,image/webp,image/png,image/jpeg,image/gif;q=0.8"

_IMAGE_LINK = re.compile(r"\[(" + re.escape(IMAGE_LABEL) + r"(?:\\.|[^\]\\])*)\]\(([^)\s]+)\)")


@dataclass(frozen=True, slots=True)
class ImageRef:
    url: str
    label: str


@dataclass(frozen=True, slots=True)
class CheckedImage:
    data: bytes
    format: str
    width: int
    height: int


class ImageRefused(Exception):
    """Why an image is not shown; one line."""


def image_refs(markdown: str) -> list[ImageRef]:
    """The images in an article's Markdown, in order, each once."""
    seen: set[str] = set()
    refs = []
    for match in _IMAGE_LINK.finditer(markdown):
        label, url = match[1].replace("\\", ""), match[2]
        if url in seen or not is_safe_link(url) or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        refs.append(ImageRef(url, label))
    return refs


def check_image(data: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> CheckedImage:
    """Open ``data`` with Pillow without trusting it; raises :class:`ImageRefused`."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused("image larger than the cap")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html")):
        raise ImageRefused("not a picture (SVG or a page)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=sorted(ALLOWED_FORMATS)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageRefused(f"image too large to decode ({width}x{height})")
                if width <= 1 or height <= 1:
                    raise ImageRefused("a tracking pixel")
                image.verify()
                kind = image.format or ""
        except ImageRefused:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRefused("image too large to decode") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise ImageRefused("not an image this reader shows") from None
    if kind not in ALLOWED_FORMATS:
        raise ImageRefused("not an image this reader shows")
    return CheckedImage(data, kind, width, height)


async def fetch_image(fetcher: Fetcher, url: str) -> tuple[CheckedImage | None, int, str | None]:
    """(the checked image or None, bytes downloaded, why not)."""
    if not url.startswith(("http://", "https://")):
        return None, 0, "only web images are fetched"
    result = await fetcher.fetch(url, accept=IMAGE_ACCEPT, max_bytes=MAX_IMAGE_BYTES)
    if not result.ok or result.body is None:
        return None, result.bytes_downloaded, result.reason or "image could not be fetched"
    media_type = (result.content_type or "").split(";")[0].strip().lower()
    if (
        media_type
        and not media_type.startswith("image/")
        and media_type != "application/octet-stream"
    ):
        return None, result.bytes_downloaded, f"not an image ({media_type[:40]})"
    if media_type == "image/svg+xml":
        return None, result.bytes_downloaded, "not a picture (SVG)"
    try:
        return check_image(result.body), result.bytes_downloaded, None
    except ImageRefused as refused:
        return None, result.bytes_downloaded, str(refused)


@dataclass(frozen=True, slots=True)
class ImagesFetched:
    fetched: int
    refused: int
    bytes_downloaded: int
    #: Images left for later because the byte budget ran out.
    skipped: int = 0


async def fetch_article_images(
    store: Store,
    fetcher: Fetcher,
    article_id: int,
    refs: Sequence[ImageRef],
    *,
    byte_budget: int | None = None,
    retry: bool = False,
) -> ImagesFetched:
    """Fetch the images of ``refs`` not stored yet; each result (or refusal) is stored.

    With ``retry`` (the reader asked for it again), those stored without a picture are
    fetched again: a refusal may have been a dropped connection on the train."""
    stored = store.stored_images(article_id)
    fetched = refused = spent = skipped = 0
    for ref in refs:
        kept = stored.get(ref.url)
        if kept is not None and (kept.data is not None or not retry):
            continue
        if byte_budget is not None and spent >= byte_budget:
            skipped += 1
            continue
        image, size, error = await fetch_image(fetcher, ref.url)
        spent += size
        if image is None:
            refused += 1
        else:
            fetched += 1
        store.save_image(
            article_id,
            ref.url,
            data=image.data if image else None,
            format=image.format if image else None,
            width=image.width if image else None,
            height=image.height if image else None,
            error=error,
            bytes_downloaded=size,
        )
    return ImagesFetched(fetched, refused, spent, skipped)
