"""Full-text extraction: the article of a web page, as safe Markdown, for teaser feeds.

The body comes from readability-lxml or trafilatura (see :mod:`.content` for the choice),
the title, byline and date from the page's JSON-LD and meta tags (see :mod:`.metadata`).
The body is converted with :func:`tuireader.htmlmd.html_to_markdown`, so extracted pages
render like feed content. :func:`extract_article` never raises: on any failure it returns
None and callers fall back to the feed's own text.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from tuireader.extract.content import choose_body, readability_body, trafilatura_body
from tuireader.extract.metadata import read_metadata
from tuireader.htmlmd import MAX_INPUT_CHARS, html_to_markdown, html_to_text, word_count

__all__ = ["ExtractedArticle", "extract_article"]

log = logging.getLogger(__name__)

#: A body whose text is mostly link text is an index or navigation page, not an article.
MAX_LINK_DENSITY = 0.5
#: Readability.js's readerable test: paragraphs of at least 140 characters scoring above 20.
READERABLE_MIN_CHARS = 140
READERABLE_MIN_SCORE = 20.0
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


def extract_article(html: bytes | str, url: str) -> ExtractedArticle | None:
    """The article of a page fetched from ``url``, or None when there is none."""
    try:
        return _extract(_decode(html) if isinstance(html, bytes) else html, url)
    except Exception:  # extraction libraries raise many kinds; callers only need "none"
        log.debug("extraction failed for %s", url, exc_info=True)
        return None


def _extract(page: str, url: str) -> ExtractedArticle | None:
    page = page[:MAX_INPUT_CHARS]
    if not page.strip():
        return None
    root = _parse(page)
    if root is None:
        return None
    metadata = read_metadata(root)
    body = choose_body(readability_body(page), trafilatura_body(root, url))
    if body is None or _is_link_list(body.root) or _is_index_page(root):
        return None
    base_url = _base_url(root, url)
    markdown = html_to_markdown(body.html, base_url=base_url)
    text = html_to_text(body.html)
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


def _is_link_list(root: etree._Element) -> bool:
    """An index or navigation page: several links that make up most of the text."""
    links = list(root.iter("a"))
    if len(links) < 3:
        return False
    total = len(" ".join(root.text_content().split()))
    linked = sum(len(" ".join(a.text_content().split())) for a in links)
    return linked > MAX_LINK_DENSITY * max(total, 1)


def _is_index_page(root: etree._Element) -> bool:
    """A page with no paragraph of prose whose text is mostly links (a section front, a menu).

    The first test is Readability.js's ``isProbablyReaderable``; pages that fail it are still
    extracted (Reader View shows short pages too) unless links dominate them.
    """
    score = 0.0
    for el in root.iter("p", "pre", "article"):
        length = len(" ".join(el.text_content().split()))
        if length >= READERABLE_MIN_CHARS:
            score += math.sqrt(length - READERABLE_MIN_CHARS)
            if score > READERABLE_MIN_SCORE:
                return False
    body = root.find("body")
    if body is None:
        return True
    links = list(body.iter("a"))
    if len(links) < 3:
        return False
    total = len(" ".join(html_to_text(lxml_html.tostring(body, encoding="unicode")).split()))
    linked = sum(len(" ".join(a.text_content().split())) for a in links)
    return linked > MAX_LINK_DENSITY * max(total, 1)


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
