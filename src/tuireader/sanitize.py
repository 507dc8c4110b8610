"""Make untrusted text safe to store and show in a terminal.

Feeds and pages may carry ANSI escape sequences (clear screen, OSC 52 clipboard writes,
OSC 8 hyperlinks), C0/C1 control characters, bidi overrides and zero-width characters.
None of them may reach the terminal, so they are removed before text is stored for display.
Rich/Textual markup is *not* escaped here: display code builds ``Text`` objects instead.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Whole escape sequences first, so their parameters do not survive as visible junk:
# CSI (ESC [ or U+009B) ... final byte; OSC/DCS/SOS/PM/APC (ESC ] P X ^ _ or C1 equivalents)
# up to BEL or ST; then any two-character ESC sequence.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 except tab/newline, DEL, C1, the Arabic letter mark and bidi embeddings/overrides/
# isolates, zero-width and BOM, line/paragraph separators, interlinear annotation.
_UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_INLINE_WHITESPACE = re.compile(r"\s+")
# What can start an escape sequence: searched in C (a per-character Python scan made
# cleaning 200,000 imported titles take most of a second).
_ESCAPE_START = re.compile("[\x1b\x90-\x9f]")
# Anything clean_line would change besides outer spaces: whitespace other than a single
# space, and every character _UNSAFE_CHARS or _ESCAPE_SEQUENCE would remove.
_NOT_A_CLEAN_LINE = re.compile(
    "[^\\S ]| {2}|[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb]"
)
_SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: _UNSAFE_CHARS restricted to ASCII, as a str.translate table: for ASCII text translate
#: runs a table lookup per character, several times faster than the regex's class scan.
_ASCII_UNSAFE = str.maketrans(dict.fromkeys([*range(0x09), *range(0x0B, 0x20), 0x7F]))


def clean_text(value: str | None) -> str:
    """Remove escape sequences and unsafe characters, keeping tabs and newlines."""
    if not value:
        return ""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.isascii():  # O(1): the common case (every feed's HTML) without a regex scan
        if "\x1b" in value:
            value = _ESCAPE_SEQUENCE.sub("", value)
        return value.translate(_ASCII_UNSAFE)
    if _ESCAPE_START.search(value):
        value = _ESCAPE_SEQUENCE.sub("", value)
    return _UNSAFE_CHARS.sub("", value)


def clean_line(value: str | None) -> str:
    """Like :func:`clean_text`, for one-line fields (titles, names): whitespace collapsed."""
    if value and value[0] != " " and value[-1] != " " and not _NOT_A_CLEAN_LINE.search(value):
        return value  # already clean: the common case, checked in C
    return _INLINE_WHITESPACE.sub(" ", clean_text(value)).strip()


def is_safe_link(url: str | None) -> bool:
    """True for http(s) and mailto links: the only ones we show or open."""
    if not url:
        return False
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in _SAFE_LINK_SCHEMES


def safe_link(url: str | None) -> str | None:
    """The cleaned link if it is safe to show and open, else None."""
    if url is None:
        return None
    cleaned = clean_line(url)
    return cleaned if is_safe_link(cleaned) else None
