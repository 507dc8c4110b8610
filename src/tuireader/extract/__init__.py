"""Full-text extraction: the article of a web page, as safe Markdown, for teaser feeds.

The body comes from readability-lxml, without the asides, footers, share bars and related
links Reader View drops (:mod:`.boilerplate`), or from trafilatura when readability lost the
article or left part of it out (a lead, a heading: trafilatura's body holds readability's
and more), see :mod:`.content`, :mod:`.rules` for every rule we apply and :mod:`.repeats`
for the headline, byline and photo credits we drop; the title, byline and date from the page's
JSON-LD and meta tags (:mod:`.metadata`).
The body is converted with :func:`tuireader.htmlmd.html_to_markdown`, so extracted pages
render like feed content. :func:`extract_article` never raises: on any failure it returns
None and callers fall back to the feed's own text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from tuireader.extract.boilerplate import drop_asides, drop_widgets
from tuireader.extract.content import (
    Body,
    body_of,
    has_prose,
    prose_words,
    readability_html,
    trafilatura_html,
)
from tuireader.extract.metadata import PageMetadata, read_metadata
from tuireader.extract.repeats import drop_credits, drop_repeats
from tuireader.extract.rules import Rules
from tuireader.htmlmd import MAX_INPUT_CHARS, html_to_markdown, html_to_text, word_count

__all__ = ["Draft", "ExtractedArticle", "Rules", "extract_article", "finish", "prepare"]

log = logging.getLogger(__name__)

#: A body whose text is mostly link text is an index or navigation page, not an article.
MAX_LINK_DENSITY = 0.5
#: trafilatura's body "holds readability's and more" (``Rules.contains``) with at least this
#: many words of its own besides the headline and byline: a heading or a lead, not a stray
#: word. 5 was the smallest count with no loss on any corpus half (1 lost on one).
CONTAINS_MIN_EXTRA_WORDS = 5
_WORD = re.compile(r"\w+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_IMAGE_LINK = re.compile(r"\[🖼 Image[^\]]*\]\((https?://[^)\s]+)\)")


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """An article read from a web page; every string is sanitised for display."""

    title: str | None
    standfirst: str | None
    author: str | None
    published: datetime | None  # aware, UTC
    markdown: str
    text: str
    image_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Draft:
    """What the libraries found in a page: the costly half of an extraction.

    :func:`finish` applies our rules to it; the bench keeps drafts to try rule settings.
    """

    metadata: PageMetadata
    base_url: str
    readability: str | None  # readability-lxml's body, HTML
    trafilatura: str | None  # trafilatura's body, HTML (None when it was not needed)
    page_prose: int = 0  # words in the whole page's prose paragraphs


def extract_article(html: bytes | str, url: str) -> ExtractedArticle | None:
    """The article of a page fetched from ``url``, or None when there is none."""
    try:
        draft = prepare(html, url)
        return finish(draft) if draft is not None else None
    except Exception:  # extraction libraries raise many kinds; callers only need "none"
        log.debug("extraction failed for %s", url, exc_info=True)
        return None


def prepare(
    html: bytes | str,
    url: str,
    rules: Rules = Rules(),  # noqa: B008
    both: bool = False,
) -> Draft | None:
    """Parse the page once, run readability and, when ``rules`` call for it, trafilatura.

    ``both`` runs trafilatura on every page (the bench does, to measure the rules). May
    raise; see :func:`extract_article`.
    """
    page = (_decode(html) if isinstance(html, bytes) else html)[:MAX_INPUT_CHARS]
    if not page.strip():
        return None
    root = _parse(page)
    if root is None:
        return None
    readability = readability_html(root)  # on its own copy of the page
    page_prose = prose_words(root)
    metadata, base_url = read_metadata(root), _base_url(root, url)
    needed = both or _second_look(_prose(body_of("readability", readability)), page_prose, rules)
    # trafilatura last: it modifies the page.
    trafilatura = trafilatura_html(root, url) if needed else None
    return Draft(metadata, base_url, readability, trafilatura, page_prose)


def finish(draft: Draft, rules: Rules = Rules()) -> ExtractedArticle | None:  # noqa: B008
    """The article our rules make of a draft, or None when there is none."""
    readability, trafilatura = (
        body_of("readability", draft.readability),
        body_of("trafilatura", draft.trafilatura),
    )
    body = readability or trafilatura
    if readability is not None and trafilatura is not None:
        body = _choose(readability, trafilatura, draft, rules)
    other = trafilatura if body is readability else readability
    if rules.guard == "prose" and body is not None and _is_index(body, draft.base_url):
        # An index page, unless the other library found the article (a short one on a
        # page of links, say).
        body = other if other is not None and has_prose(other) else None
    if body is None or (rules.guard == "links" and _is_link_list(body.root, draft.base_url)):
        return None
    article = _article(body, draft.metadata, draft.base_url, rules)
    if article is None and other is not None and other is not body and has_prose(other):
        # readability sometimes returns the whole page, <head> and all: no text at all.
        article = _article(other, draft.metadata, draft.base_url, rules)
    return article


def _cleaned(body: Body, rules: Rules) -> Body:
    """readability's body without what Reader View drops from it (:mod:`.boilerplate`).

    After the choice and the index guard, which judge the body as the library returned it
    (a menu is evidence of an index page).
    """
    if body.source != "readability":
        return body
    asides = rules.asides and drop_asides(body.root)
    if (rules.widgets and drop_widgets(body.root)) or asides:
        html = lxml_html.tostring(body.root, encoding="unicode")
        # Several asides together may be all there was: then keep them all.
        return body_of(body.source, html) or body_of(body.source, body.html) or body
    return body


def _second_look(readability_prose: int, page_prose: int, rules: Rules) -> bool:
    """Whether readability's body may have lost the article (or part of it), so trafilatura
    should run: it has no prose, or some of the page's prose is outside it."""
    if readability_prose == 0:
        return True
    return rules.recheck is not None and readability_prose < rules.recheck * page_prose


def _choose(readability: Body, trafilatura: Body, draft: Draft, rules: Rules) -> Body:
    """readability's body, unless trafilatura's is the article it lost or holds it and more."""
    prose = _prose(readability)
    if _second_look(prose, draft.page_prose, rules) and (
        _lost(prose, trafilatura, rules)
        or _contains(readability, trafilatura, draft.metadata, rules)
    ):
        return trafilatura
    return readability


def _prose(body: Body | None) -> int:
    return prose_words(body.root) if body is not None else 0


def _lost(readability_prose: int, trafilatura: Body, rules: Rules) -> bool:
    """trafilatura's body has many times readability's prose: readability kept a stray block."""
    if rules.lost is None:
        return False
    more = prose_words(trafilatura.root)
    return more > 0 and more >= rules.lost * readability_prose


def _contains(readability: Body, trafilatura: Body, metadata: PageMetadata, rules: Rules) -> bool:
    """trafilatura's body holds readability's and more (a lead, a heading, a list it dropped).

    "More" is a few words besides the headline and byline (which :mod:`.repeats` drops
    anyway), and trafilatura's body has prose: a list of headlines is never more article.
    """
    if rules.contains is None:
        return False
    ours, theirs = readability.tokens(), trafilatura.tokens()
    known = set(_WORD.findall(f"{metadata.title or ''} {metadata.author or ''}".lower()))
    extra = sum(n for word, n in (theirs - ours).items() if word not in known)
    if extra < CONTAINS_MIN_EXTRA_WORDS:
        return False
    shared = (ours & theirs).total()
    return shared >= rules.contains * ours.total() and has_prose(trafilatura)


def _article(
    body: Body, metadata: PageMetadata, base_url: str, rules: Rules
) -> ExtractedArticle | None:
    body = _cleaned(body, rules)
    html = body.html
    year = metadata.published.year if metadata.published else None
    repeats = rules.repeats and drop_repeats(body.root, metadata.title, metadata.author, year)
    if (rules.credits and drop_credits(body.root)) or repeats:
        html = lxml_html.tostring(body.root, encoding="unicode")
    markdown = html_to_markdown(html, base_url=base_url)
    text = html_to_text(html)
    if word_count(text) == 0:
        return None
    return ExtractedArticle(
        title=metadata.title,
        standfirst=metadata.standfirst,
        author=metadata.author,
        published=metadata.published,
        markdown=markdown,
        text=text,
        image_urls=tuple(dict.fromkeys(_IMAGE_LINK.findall(markdown))),
    )


def _is_index(body: Body, base_url: str) -> bool:
    """A body of links without a sentence of prose: a section front, a menu."""
    return _is_link_list(body.root, base_url) and not has_prose(body)


def _is_link_list(root: etree._Element, base_url: str) -> bool:
    """An index or navigation page: several links into its own site make up most of the text.

    Links to other sites do not count: a post that lists them, each with a line of comment
    (a link blog, a press review), is an article, and both libraries return it as one.
    """
    site = _site(base_url)
    links = [a for a in root.iter("a") if _site(base_url, a.get("href")) == site]
    if len(links) < 3:
        return False
    total = len(" ".join(root.text_content().split()))
    linked = sum(len(" ".join(a.text_content().split())) for a in links)
    return linked > MAX_LINK_DENSITY * max(total, 1)


def _site(base_url: str, href: str | None = None) -> str | None:
    """The host a link (or the page itself) is on, without ``www.``."""
    try:
        host = urlsplit(urljoin(base_url, href.strip()) if href else base_url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _parse(page: str) -> etree._Element | None:
    parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        return lxml_html.document_fromstring(page, parser=parser)
    except (etree.ParserError, ValueError):
        try:
            return lxml_html.document_fromstring(page.encode("utf-8"), parser=parser)
        except (etree.ParserError, ValueError):
            return None


def _base_url(root: etree._Element, url: str) -> str:
    """The page URL, or the page's <base href> resolved against it."""
    base = root.find(".//base[@href]")
    if base is None:
        return url
    try:
        href: str = base.get("href") or ""
        return urljoin(url, href.strip())
    except ValueError:
        return url


def _decode(data: bytes) -> str:
    """Bytes to text: BOM, then <meta charset>, then UTF-8, then Windows-1252."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")
