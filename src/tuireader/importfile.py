"""An import file of either kind (OPML or a newsboat ``urls`` file) to subscriptions.

The kind is told from the text, not the file name: decoded by BOM (UTF-8/16/32), NUL
pattern or XML declaration, a file whose first non-blank character is ``<`` is OPML. A
urls file whose first line happens to start with ``<`` is read as a urls file when it is
not OPML at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tuireader.opml import read_opml_bytes
from tuireader.subscriptions import (
    ImportResult,
    Subscription,
    SubscriptionCollector,
    decode_document,
)
from tuireader.urlsfile import read_urls_text


def read_import(
    data: bytes,
    *,
    on_new: Callable[[Subscription], None] | None = None,
    known: Iterable[str] = (),
    keep: bool = True,
    on_folder: Callable[[Subscription], None] | None = None,
) -> ImportResult:
    """Every subscription in ``data``; ``on_new`` sees each feed not in ``known`` as it is
    read, ``on_folder`` each further OPML folder of one. ``keep=False``: the result has no
    subscriptions (they went to ``on_new``)."""
    known = tuple(known)
    binary = binary_kind(data)
    if binary is not None:
        return ImportResult((), (f"not an OPML or newsboat urls file ({binary})",))
    if not decode_document(data[:4096]).lstrip().startswith("<"):
        return _urls(decode_document(data), on_new, known, keep).result()
    collector = SubscriptionCollector(on_new, known, keep=keep, on_folder=on_folder)
    read_opml_bytes(data, collector)
    result = collector.result()
    if collector.count or not _not_opml(result):
        return result
    as_urls = _urls(decode_document(data), on_new, known, keep)
    return as_urls.result() if as_urls.count else result


#: The start of files people pick by mistake, and what to call them.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
#: Control characters no text file holds (tab, newlines and form feed are text).
_CONTROL = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r\f") | {"\ufffd"}


def binary_kind(data: bytes) -> str | None:
    """What a file that is no text at all is (``"a PNG image"``), else None. Told by its
    magic number, or by control characters in more than 1 in 20 of its first characters
    (as decoded: a UTF-16 file has NUL bytes but is text)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = decode_document(data[:4096])
    if head and sum(ch in _CONTROL for ch in head) * 20 > len(head):
        return "binary data"
    return None


def _not_opml(result: ImportResult) -> bool:
    return any(
        p.startswith(("not an OPML document", "nothing could be parsed")) for p in result.problems
    )


def _urls(
    text: str,
    on_new: Callable[[Subscription], None] | None,
    known: tuple[str, ...],
    keep: bool,
) -> SubscriptionCollector:
    collector = SubscriptionCollector(on_new, known, keep=keep)
    read_urls_text(text, collector)
    return collector
