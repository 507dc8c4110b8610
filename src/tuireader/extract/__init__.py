"""Full-text extraction: the article of a web page, as safe Markdown, for teaser feeds.

The body comes from readability-lxml, or from trafilatura when readability lost the article
(see :mod:`.content`, :mod:`.rules` for every rule we apply and :mod:`.repeats` for the
headline, byline and photo credits we drop), the title, byline and date from the page's
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
    readability = readability_html(root)
    page_prose = prose_words(root)
    needed = both or _second_look(body_of("readability", readability), page_prose, rules)
    return Draft(
        metadata=read_metadata(root),
        base_url=_base_url(root, url),
        readability=readability,
        trafilatura=trafilatura_html(root, url) if needed else None,
        page_prose=page_prose,
    )


def finish(draft: Draft, rules: Rules = Rules()) -> ExtractedArticle | None:  # noqa: B008
    """The article our rules make of a draft, or None when there is none."""
    readability, trafilatura = (
        body_of("readability", draft.readability),
        body_of("trafilatura", draft.trafilatura),
    )
    body = readability or trafilatura
    if (
        readability is not None
        and trafilatura is not None
        and _second_look(readability, draft.page_prose, rules)
    ):
        more = prose_words(trafilatura.root)
        if rules.lost is not None and more and more >= rules.lost * prose_words(readability.root):
            body = trafilatura
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


def _second_look(readability: Body | None, page_prose: int, rules: Rules) -> bool:
    """Whether readability's body may have lost the article, so trafilatura should run."""
    if readability is None or not has_prose(readability):
        return True
    return rules.recheck is not None and prose_words(readability.root) < rules.recheck * page_prose


def _article(
    body: Body, metadata: PageMetadata, base_url: str, rules: Rules
) -> ExtractedArticle | None:
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
