"""The article body of a page: two extractors, and the rule that picks between them.

readability-lxml (a port of Arc90 Readability, the ancestor of Firefox Reader View) is the
more precise of the two on the Readability test corpus, but sometimes stops short of the
whole article (a lost section, a second page of paragraphs). trafilatura keeps the whole
text more often but adds boilerplate more often too. So we run both and keep trafilatura's
article only when it *contains* readability's and adds sentences: then readability most
likely lost part of the article. See ``choose_body`` and bench/extract_bench.py.
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
from readability.htmls import build_doc
from readability.readability import REGEXES, Unparseable

from tuireader.htmlmd import word_count

_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…。！？](?:\W|$)")
_DISPLAY_NONE = REGEXES["displayNoneRe"]
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


def body_of(source: str, html: str | None) -> Body | None:
    """A library's body HTML as a Body, or None when it has no words."""
    if not html or not html.strip():
        return None
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

    def _parse(self, input: str) -> etree._Element:
        """The page without hidden elements, scripts, styles and comments.

        readability-lxml runs lxml_html_clean's Cleaner here, which also rewrites every
        link to drop ``javascript:`` URLs: a quarter of its time on large pages, and not
        needed since :mod:`tuireader.htmlmd` keeps only safe links.
        """
        doc, self.encoding = build_doc(input)
        for elem in doc.xpath("//*[@hidden]"):
            elem.drop_tree()
        for elem in doc.xpath("//*[@style]"):
            if _DISPLAY_NONE.search(elem.get("style")):
                elem.drop_tree()
        etree.strip_elements(
            doc, "script", "style", "link", etree.Comment, etree.ProcessingInstruction,
            with_tail=False,
        )  # fmt: skip
        doc.resolve_base_href(handle_failures="discard")
        return doc


def _text_length(el: etree._Element) -> int:
    return len(" ".join(el.text_content().split()))


def readability_html(page: str) -> str | None:
    """readability-lxml's article as HTML, or None when it finds none."""
    try:
        html: str = _FastDocument(page).summary(html_partial=True)
    except (Unparseable, ValueError, TypeError, etree.LxmlError):
        return None
    return html


def trafilatura_html(root: etree._Element, url: str) -> str | None:
    """trafilatura's article (its default balance, without comments), hidden elements removed.

    Not ``favor_recall``, and without images: on both corpora both added more boilerplate
    (tickers, image alt texts such as "Rate this article") than article text. ``fast``
    skips trafilatura's own fallback to readability and jusText (a third of its time): we
    run readability ourselves, and the result was as good on corpus/articles (0.974 against
    0.971) though below on corpus/snippets (0.891 against 0.895).
    """
    tree = deepcopy(root)
    _drop_hidden(tree)
    html = trafilatura.extract(
        tree,
        url=url,
        fast=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=True,
        include_formatting=True,
        output_format="html",
        with_metadata=False,
    )
    return html or None


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


def choose_body(
    readability: Body | None, trafilatura: Body | None, min_gain: float = MIN_PROSE_GAIN
) -> Body | None:
    """Readability's body, unless trafilatura's holds it and adds more prose than boilerplate.

    Prose is a block with a full sentence (see :func:`is_prose`), so headline lists, tickers
    and menus that trafilatura keeps do not count. With ``min_gain`` 0.1 this switches about
    a third of the pages of both corpora, and lifts mean F1 on corpus/articles from 0.971 to
    0.974 and snippet F1 on corpus/snippets from 0.879 to 0.891, on each half of each
    (``bench/extract_bench.py --rules``).
    """
    if readability is None or trafilatura is None:
        return readability or trafilatura
    shared = (readability.tokens & trafilatura.tokens).total()
    if shared < CONTAIN_SHARE * readability.size:
        return readability
    kept_text = " ".join(" ".join(readability.root.itertext()).split())
    kept_words = word_count(kept_text)
    prose = boilerplate = 0
    for text, link_share in block_texts(trafilatura):
        if text in kept_text:
            continue
        words = word_count(text)
        if is_prose(text, link_share):
            prose += words
        else:
            boilerplate += words
    if kept_words and prose >= min_gain * kept_words and prose >= boilerplate:
        return trafilatura
    return readability


def block_texts(body: Body) -> Iterator[tuple[str, float]]:
    """Outermost paragraph-like blocks: their text and the share of it that is link text."""
    for el in body.root.iter(*_BLOCKS):
        if any(True for _ in el.iterancestors("p", "li", "td", "blockquote", "pre")):
            continue
        text = " ".join(el.text_content().split())
        if text:
            linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
            yield text, linked / len(text)


def is_prose(text: str, link_share: float) -> bool:
    """A sentence or more, mostly not link text (headlines and menu items have no full stop)."""
    return (
        link_share < PROSE_MAX_LINK_SHARE
        and _SENTENCE_END.search(text) is not None
        and word_count(text) >= PROSE_MIN_WORDS
    )


def has_prose(body: Body) -> bool:
    """Whether a body has at least one paragraph of prose (an index page has none)."""
    return any(is_prose(text, link_share) for text, link_share in block_texts(body))
