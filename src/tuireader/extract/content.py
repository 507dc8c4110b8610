"""The article body of a page: two extractors, and the rule that picks between them.

readability-lxml (a port of Arc90 Readability, the ancestor of Firefox Reader View) is the
more precise of the two on the Readability test corpus, but sometimes stops short of the
whole article (a lost section, a second page of paragraphs). trafilatura keeps the whole
text more often but adds boilerplate more often too. So we run both and keep trafilatura's
article only when it *contains* readability's and adds a moderate amount: then readability
most likely lost part of the article. See ``choose_body`` and bench/extract_bench.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from readability import Document
from readability.readability import Unparseable

from tuireader.htmlmd import word_count

_TOKEN = re.compile(r"\w+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Body:
    """An extracted article body as HTML, with its word bag for comparisons."""

    source: str
    html: str
    root: etree._Element
    tokens: Counter[str]

    @property
    def size(self) -> int:
        return self.tokens.total()


def _body(source: str, html: str) -> Body | None:
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    tokens = Counter(t.lower() for t in _TOKEN.findall(" ".join(root.itertext())))
    return Body(source, html, root, tokens) if tokens else None


class _FastDocument(Document):  # type: ignore[misc]
    """readability-lxml with a cheaper link density (it dominated the profile).

    The original runs three regex substitutions over the text of every link of every
    candidate; collapsing whitespace with ``split`` gives the same lengths up to rare
    runs of exotic spaces.
    """

    def get_link_density(self, elem: etree._Element) -> float:
        link_length = sum(_text_length(a) for a in elem.iter("a"))
        return link_length / max(_text_length(elem), 1)


def _text_length(el: etree._Element) -> int:
    return len(" ".join(el.text_content().split()))


def readability_body(page: str) -> Body | None:
    """readability-lxml's article, or None when it finds none."""
    try:
        html = _FastDocument(page).summary(html_partial=True)
    except (Unparseable, ValueError, TypeError, etree.LxmlError):
        return None
    return _body("readability", html) if html and html.strip() else None


def trafilatura_body(root: etree._Element, url: str) -> Body | None:
    """trafilatura's article (favouring recall, without comments), hidden elements removed."""
    tree = deepcopy(root)
    _drop_hidden(tree)
    html = trafilatura.extract(
        tree,
        url=url,
        favor_recall=True,
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_links=True,
        include_formatting=True,
        output_format="html",
        with_metadata=False,
    )
    if not html:
        return None
    return _body("trafilatura", html)


def _drop_hidden(root: etree._Element) -> None:
    """Remove what a browser would not show (Reader View ignores it too)."""
    hidden = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and (
            el.get("hidden") is not None
            or (el.get("aria-hidden") == "true" and "fallback-image" not in (el.get("class") or ""))
            or _HIDDEN_STYLE.search(el.get("style") or "")
        )
    ]
    for el in hidden:
        if el.getparent() is not None:
            el.drop_tree()


#: trafilatura's body must hold this share of readability's words to be considered.
CONTAIN_SHARE = 0.95
#: ... and add at least this much prose, relative to readability's body.
MIN_PROSE_GAIN = 0.1
#: Blocks with fewer words (or a larger share of link text) count as boilerplate, not prose.
PROSE_MIN_WORDS = 8
PROSE_MAX_LINK_SHARE = 0.3
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "blockquote", "pre", "dd", "dt")


def choose_body(readability: Body | None, trafilatura: Body | None) -> Body | None:
    """Readability's body, unless trafilatura's holds it and adds more prose than boilerplate.

    On the corpus this lifts mean F1 from 0.970 (readability alone) to 0.975; it switches
    about ten pages to trafilatura, most of which gain (wikipedia-4 +0.25), two lose
    (salon-1, qq: related-story lists that look like prose).
    """
    if readability is None or trafilatura is None:
        return readability or trafilatura
    shared = (readability.tokens & trafilatura.tokens).total()
    if shared < CONTAIN_SHARE * readability.size:
        return readability
    kept_text = " ".join(" ".join(readability.root.itertext()).split())
    kept_words = word_count(kept_text)
    prose = boilerplate = 0
    for text, link_share in _block_texts(trafilatura.root):
        if text in kept_text:
            continue
        words = word_count(text)
        if words >= PROSE_MIN_WORDS and link_share < PROSE_MAX_LINK_SHARE:
            prose += words
        else:
            boilerplate += words
    if kept_words and prose >= MIN_PROSE_GAIN * kept_words and prose >= boilerplate:
        return trafilatura
    return readability


def _block_texts(root: etree._Element) -> Iterator[tuple[str, float]]:
    """Outermost paragraph-like blocks: their text and the share of it that is link text."""
    for el in root.iter(*_BLOCKS):
        if any(True for _ in el.iterancestors("p", "li", "td", "blockquote", "pre")):
            continue
        text = " ".join(el.text_content().split())
        if text:
            linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
            yield text, linked / len(text)
