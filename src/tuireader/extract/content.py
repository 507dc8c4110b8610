"""The article body of a page: readability-lxml, and trafilatura when readability lost it.

readability-lxml (a port of Arc90 Readability, the ancestor of Firefox Reader View) is our
base: on the Readability corpus it is the better of the two (mean F1 0.971 against 0.943),
and it is the cheaper (about half of trafilatura's CPU time). It sometimes picks a wrong,
small block (a caption, a teaser) and loses the article, or leaves out a lead, a heading or
a list outside its container; then the page holds prose outside its body, and trafilatura
(default mode, with its own fallbacks) gets a second look. See ``Rules`` and
bench/extract_bench.py for the measurements.
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
from readability.readability import REGEXES, Unparseable

from tuireader.htmlmd import word_count

_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…。！？](?:\W|$)")
_DISPLAY_NONE = REGEXES["displayNoneRe"]
#: The few elements that may be hidden, found by libxml2 rather than a Python loop.
_MAYBE_HIDDEN = etree.XPath("//*[@hidden or @aria-hidden or @style]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Body:
    """An extracted article body as HTML and parsed."""

    source: str
    html: str
    root: etree._Element

    def tokens(self) -> Counter[str]:
        """Its bag of lower-cased words, to compare two bodies (only then: it costs)."""
        return Counter(t.lower() for t in _TOKEN.findall(" ".join(self.root.itertext())))


def body_of(source: str, html: str | None) -> Body | None:
    """A library's body HTML as a Body, or None when it has no words."""
    if not html or not html.strip():
        return None
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    has_words = any(_TOKEN.search(text) for text in root.itertext())
    return Body(source, html, root) if has_words else None


class _FastDocument(Document):  # type: ignore[misc]
    """readability-lxml with a cheaper link density (it dominated the profile).

    The original runs three regex substitutions over the text of every link of every
    candidate; collapsing whitespace with ``split`` gives the same lengths up to rare
    runs of exotic spaces.
    """

    def get_link_density(self, elem: etree._Element) -> float:
        link_length = sum(_text_length(a) for a in elem.iter("a"))
        return link_length / max(_text_length(elem), 1)

    def remove_unlikely_candidates(self) -> None:
        """The original, visiting only the elements that have a class or an id."""
        for elem in self.html.xpath(".//*[@class or @id]"):
            s = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if (
                len(s) >= 2
                and _UNLIKELY.search(s)
                and not _MAYBE.search(s)
                and elem.tag not in ("html", "body")
                and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code")
                and not elem.xpath(
                    "descendant-or-self::main | descendant-or-self::article"
                    " | descendant-or-self::math"
                )
            ):
                elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self) -> None:
        """The original, without serialising every div's children to look for block tags.

        readability-lxml searches ``tostring(child)`` with a regex for ``<div``, ``<p``...
        (a tag *prefix*: ``<pre``, ``<picture`` match too); looking at the tags of the
        child's subtree gives the same answer without the quadratic cost on deep pages.
        """
        for elem in self.tags(self.html, "div"):
            if not any(_has_block(child) for child in elem):
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                paragraph = lxml_html.fragment_fromstring("<p/>")
                paragraph.text = elem.text
                elem.text = None
                elem.insert(0, paragraph)
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if child.tag not in _INLINE or _has_block(child):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = lxml_html.fragment_fromstring("<p/>")
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = lxml_html.fragment_fromstring("<p/>")
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()

    def _parse(self, input: etree._Element) -> etree._Element:
        """A copy of the parsed page without hidden elements, scripts, styles and comments.

        The page is parsed once, by us; readability mutates its tree (and may start over),
        so it gets a copy each time. readability-lxml runs lxml_html_clean's Cleaner here,
        which also rewrites every link to drop ``javascript:`` URLs: a quarter of its time
        on large pages, and not needed since :mod:`tuireader.htmlmd` keeps only safe links.
        """
        doc = deepcopy(input)
        self.encoding = "utf-8"
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


_UNLIKELY = REGEXES["unlikelyCandidatesRe"]
_MAYBE = REGEXES["okMaybeItsACandidateRe"]
_BLOCK_TAG = re.compile(r"blockquote|dl|div|img|ol|p|pre|table|ul", re.IGNORECASE)
_INLINE = frozenset(
    ("a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u")
)


def _has_block(el: etree._Element) -> bool:
    """Whether readability-lxml's ``divToPElementsRe`` would find a block tag in ``el``."""
    return any(isinstance(d.tag, str) and _BLOCK_TAG.match(d.tag) for d in el.iter())


def _text_length(el: etree._Element) -> int:
    return len(" ".join(el.text_content().split()))


def readability_html(root: etree._Element) -> str | None:
    """readability-lxml's article of a parsed page as HTML, or None when it finds none."""
    try:
        html: str = _FastDocument(root).summary(html_partial=True)
    except (Unparseable, ValueError, TypeError, etree.LxmlError):
        return None
    return html


def trafilatura_html(root: etree._Element, url: str) -> str | None:
    """trafilatura's article (its default mode, without comments), hidden elements removed.

    Its default mode, not ``fast``: its own fallbacks to its readability fork and jusText
    are what rescues the pages where it runs (see ``Rules.recheck``). Not ``favor_recall``
    or ``favor_precision``, and without images: alone on both corpora, neither option
    beat the default on both (``favor_recall`` kept tickers and image alt texts).

    Modifies ``root`` (hidden elements go, and trafilatura prunes it): the caller's last use
    of the page. Not copying a large page saves a few milliseconds; trafilatura copies what
    it needs itself.
    """
    _drop_hidden(root)
    html = trafilatura.extract(
        root,
        url=url,
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
        for el in _MAYBE_HIDDEN(root)
        if el.get("hidden") is not None
        or (el.get("aria-hidden") == "true" and "fallback-image" not in (el.get("class") or ""))
        or _HIDDEN_STYLE.search(el.get("style") or "")
    ]
    for el in hidden:
        if el.getparent() is not None:
            el.drop_tree()


#: Blocks with fewer words (or a larger share of link text) count as boilerplate, not prose.
PROSE_MIN_WORDS = 8
PROSE_MAX_LINK_SHARE = 0.3
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "blockquote", "pre", "dd", "dt")
_OUTER = ("p", "li", "td", "blockquote", "pre")


def prose_words(root: etree._Element) -> int:
    """Words in the paragraphs of prose under ``root`` (see :func:`is_prose`).

    On a whole page this is what an article body could hold at most; a body that holds a
    small share of it likely lost the article (see ``Rules.recheck``).
    """
    words = 0
    for el, text in _outer_blocks(root):
        # The cheap tests first: most blocks of a page are not sentences.
        if _SENTENCE_END.search(text) and (count := word_count(text)) >= PROSE_MIN_WORDS:
            words += count if _link_text(el) < PROSE_MAX_LINK_SHARE * len(text) else 0
    return words


def block_texts(root: etree._Element) -> Iterator[tuple[str, float]]:
    """Outermost paragraph-like blocks: their text and the share of it that is link text."""
    for el, text in _outer_blocks(root):
        yield text, _link_text(el) / len(text)


def _outer_blocks(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    for el in root.iter(*_BLOCKS):
        if any(True for _ in el.iterancestors(*_OUTER)):
            continue
        text = " ".join(el.text_content().split())
        if text:
            yield el, text


def _link_text(el: etree._Element) -> int:
    return sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))


def is_prose(text: str, link_share: float) -> bool:
    """A sentence or more, mostly not link text (headlines and menu items have no full stop)."""
    return (
        link_share < PROSE_MAX_LINK_SHARE
        and _SENTENCE_END.search(text) is not None
        and word_count(text) >= PROSE_MIN_WORDS
    )


def has_prose(body: Body) -> bool:
    """Whether a body has at least one paragraph of prose (an index page has none)."""
    return any(is_prose(text, link_share) for text, link_share in block_texts(body.root))
