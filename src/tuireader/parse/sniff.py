"""Tell feeds from HTML pages by their first bytes, without parsing the whole body.

Servers lie about Content-Type (feeds served as text/html or text/plain, pages served as
application/rss+xml), so the body decides and the header only breaks ties.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["empty", "json", "xml", "html"]

FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
_HEAD_BYTES = 4096
_UTF8_BOM = b"\xef\xbb\xbf"
# What may precede the root element: XML declaration, PIs, comments, a DOCTYPE (possibly
# with an internal subset), whitespace. Each alternative is bounded so the scan is linear.
_PROLOG_ITEM = re.compile(
    rb"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE
)
_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_DOCTYPE_HTML = re.compile(rb"<!DOCTYPE\s+html", re.IGNORECASE)
_LEADING_SPACE = re.compile(rb"[\s\x00]*")
_HTML_TAG = re.compile(rb"<(?:html|head|body)[\s>]", re.IGNORECASE)


def head_bytes(body: bytes, size: int = _HEAD_BYTES) -> bytes:
    """The start of the content as near-ASCII: BOM, leading space, UTF-16/32 NULs removed."""
    start = 0
    for bom in (_UTF8_BOM, b"\xff\xfe", b"\xfe\xff"):
        if body.startswith(bom):
            start = len(bom)
            break
    space = _LEADING_SPACE.match(body, start)
    start = space.end() if space else start
    head = body[start : start + size * 4]
    if b"\x00" in head[:8]:
        head = head.replace(b"\x00", b"")
    return head[:size]


def root_element(head: bytes) -> str | None:
    """The local name of the first element, lower-cased (``rdf:RDF`` -> ``rdf``)."""
    pos = 0
    while pos < len(head):
        item = _PROLOG_ITEM.match(head, pos)
        if item is None or item.end() == pos:
            break
        pos = item.end()
    element = _ELEMENT.match(head, pos)
    if element is None:
        return None
    name = element.group(1).decode("ascii", "replace").lower()
    return name.rsplit(":", 1)[-1]


def is_json_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media.endswith("/json") or media.endswith("+json")


def is_html_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in {"text/html", "application/xhtml+xml"}


def sniff(body: bytes, content_type: str | None = None) -> Kind:
    """What the body is, as far as its first few KB tell."""
    head = head_bytes(body)
    if not head:
        return "empty"
    if head[:1] in (b"{", b"["):
        return "json"
    if is_json_type(content_type) and head[:1] != b"<":
        return "json"
    root = root_element(head)
    if root in FEED_ROOTS:
        return "xml"
    if root in {"html", "head", "body"} or _DOCTYPE_HTML.search(head[:512]):
        return "html"
    if root is None and _HTML_TAG.search(head):
        return "html"
    if is_html_type(content_type) and root in (None, "head", "body", "div", "p", "meta"):
        return "html"
    return "xml"
