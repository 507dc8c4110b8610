"""Readable, safe file names for downloaded enclosures."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from tuireader.sanitize import clean_line

MAX_NAME = 120
#: Path separators, what Windows file systems refuse, control characters, and ``$`` and
#: backquote: they expand even inside a shell script's double quotes.
_UNSAFE = re.compile(r'[\\/:*?"<>|$`\x00-\x1f\x7f]+')
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def readable_name(feed_title: str, article_title: str, url: str, media_type: str | None) -> str:
    """``Feed - Episode title.mp3``: no path separators, no control characters, no shell
    expansions, no dot or dash first."""
    stem = " - ".join(part for part in (_clean(feed_title), _clean(article_title)) if part)
    extension = _extension(url, media_type)
    stem = stem.lstrip("-")[: MAX_NAME - len(extension)].rstrip(" .") or "episode"
    return stem + extension


def numbered(name: str, number: int) -> str:
    """``name (2).mp3``: the name of the next file when ``name`` is taken by another episode."""
    match = _EXTENSION.search(name)
    stem, extension = (name[: match.start()], match[0]) if match else (name, "")
    return f"{stem} ({number}){extension}"


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", clean_line(text))
    return " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")


def _extension(url: str, media_type: str | None) -> str:
    suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix
    if _EXTENSION.fullmatch(suffix):
        return suffix.lower()
    guessed = mimetypes.guess_extension((media_type or "").split(";")[0].strip())
    return guessed or ""
