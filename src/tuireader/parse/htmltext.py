"""A short HTML fragment (a title, a subtitle) as the text a browser would show.

A real HTML parser (lxml's), not a tag regex: comments, ``<script>``/``<style>`` bodies and
markup split across odd places disappear entirely, ``<img alt>`` stands in for its image,
entities are decoded once, and the text of ``&lt;b&gt;`` stays the literal ``<b>``. An
unterminated comment hides the rest of the fragment, as it does in a browser.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

# Only for fragments lxml will not parse at all: the old tag regex, comments removed first.
_TAG = re.compile(r"</?[A-Za-z!?][^<>]{0,2000}>")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_DROPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})
_BREAKS = frozenset(
    {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)


def html_to_text(fragment: str) -> str:
    """The visible text of ``fragment``; whitespace is left for the caller to fold."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises ParserError, ValueError, even AssertionError ("<html>")
        return html.unescape(_TAG.sub("", _COMMENT.sub("", fragment)))
    parts: list[str] = []
    _walk(root, parts)
    return "".join(parts)


def _walk(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _DROPPED:
        return
    if tag == "img":
        alt = element.get("alt")
        if alt:
            parts.append(alt)
    elif tag in _BREAKS:
        parts.append(" ")
    if tag and element.text:  # comments and processing instructions have text too
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
