"""Headline, byline and date repeated inside an article body, and photo credits.

The reading pane shows the title and author from the page's metadata above the body, so a
body that starts with the same headline or "By Jane Doe" line shows them twice (Readability.js
drops such a header and byline too; readability-lxml and trafilatura often keep them). A
caption that only credits the photographer ("Photo: Jane Doe / Agency") says nothing about
the article; captions that describe the picture stay (Reader View keeps them).
"""

from __future__ import annotations

import re

from lxml import etree

#: Only blocks near the top are the page's own header; the same words later are the article's.
TOP_BLOCKS = 6
#: A dateline has at most this many words besides the author's name.
DATELINE_WORDS = 6
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "header", "address", "section")
_WORD = re.compile(r"\w+")
#: A credit is a short caption: longer ones describe the picture, credit and all.
CREDIT_WORDS = 12
_CREDIT = re.compile(
    r"^\s*(?:photo|foto|image|bild|picture|credit|source|quelle|crédit)s?\s*:|©|^\s*\(c\)",
    re.IGNORECASE,
)
_BY = frozenset({"by", "von", "par", "por", "di", "door", "av", "af", "autor", "author"})


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def drop_repeats(
    root: etree._Element, title: str | None, author: str | None, year: int | None
) -> bool:
    """Remove the first blocks of ``root`` that only repeat the title, byline or date.

    A dateline is a short block with the publication year and little else but the author's
    name ("By Jane Doe, 5 March 2024"). Returns whether anything was removed.
    """
    title_words = _words(title or "")
    author_words = _words(author or "")
    if author_words and author_words[0] in _BY:  # a byline read as "By Jane Doe"
        author_words = author_words[1:]
    removed = False
    for el in _leading_blocks(root):
        words = _words(el.text_content())
        if words and words[0] in _BY:
            words = words[1:]
        if not words:
            continue
        rest = [w for w in words if w not in author_words]
        if words in (title_words, author_words) or (
            year is not None and str(year) in rest and len(rest) <= DATELINE_WORDS
        ):
            el.drop_tree()
            removed = True
    return removed


def _leading_blocks(root: etree._Element) -> list[etree._Element]:
    """The first blocks in document order that hold no other block."""
    out: list[etree._Element] = []
    for el in root.iter(*_BLOCKS):
        # A wrapper's text is its blocks' text: look at those instead.
        if any(True for _ in el.iterdescendants(*_BLOCKS)):
            continue
        out.append(el)
        if len(out) >= TOP_BLOCKS:
            break
    return out


def drop_credits(root: etree._Element) -> bool:
    """Remove the figure captions that are only a photo credit; returns whether any was."""
    credits = [
        el
        for el in root.iter("figcaption")
        if _CREDIT.search(text := el.text_content()) and len(text.split()) <= CREDIT_WORDS
    ]
    for el in credits:
        el.drop_tree()
    return bool(credits)
