"""What the reading pane shows for one article, prepared off the event loop."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tuireader.core import Reader
from tuireader.fulltext import Body, BodySource, best_body
from tuireader.htmlmd import word_count
from tuireader.models import Article
from tuireader.ui.links import Link, article_links
from tuireader.ui.media import MediaInfo, prepare_media

NO_TEXT = "*This article has no text in the feed.*"
#: Longer articles paint before their links are numbered: the pane numbers them as it goes.
LINKS_AT_ONCE = 100_000


@dataclass(frozen=True, slots=True)
class ArticleDisplay:
    article: Article
    markdown: str
    #: The numbered links; None for a long article, whose links the reading pane numbers
    #: part by part as it renders them (numbering 50,000 links up front takes seconds).
    links: tuple[Link, ...] | None
    words: int
    source: BodySource = BodySource.FEED
    body: Body | None = None
    #: One line about where the text comes from ("full text from the page · 48 KB").
    note: str = ""
    #: Whether the page should be fetched now (a teaser, and no page cached yet).
    wants_page: bool = False
    #: Why For you listed it ("" when opened elsewhere), shown in the header.
    why: str = ""
    #: The Markdown in parts to render one after the other (``split_parts``), split in
    #: the worker so a long article costs the event loop nothing before its first part.
    parts: tuple[str, ...] = ()
    #: Only the head of a long article, shown while the rest is converted.
    head: bool = False
    #: Its enclosures and images (``ui.media``); None for a head.
    media: MediaInfo | None = None

    @property
    def from_page(self) -> bool:
        return self.source is BodySource.PAGE


def prepare_article(
    reader: Reader, article_id: int, *, prefer_page: bool = True
) -> ArticleDisplay | None:
    """Load and convert an article (call it from a thread: it reads the disk and parses HTML)."""
    article = reader.article(article_id)
    if article is None:
        return None
    page = reader.full_text(article.id)
    body = best_body(article, page, prefer_page=prefer_page)
    markdown = body.markdown.strip() or NO_TEXT
    # Enclosures and images are the media block's (one line each, above the text).
    media = prepare_media(reader, article.id, article.feed_id, markdown)
    # The Reader decides (a demo library never fetches).
    wants_page = prefer_page and page is None and reader.wants_full_text(article)
    return ArticleDisplay(
        article,
        markdown,
        tuple(article_links(markdown)) if len(markdown) <= LINKS_AT_ONCE else None,
        word_count(markdown),
        source=body.source,
        body=body,
        note=source_note(body, wants_page=wants_page, page_cached=bool(page and page.markdown)),
        wants_page=wants_page,
        parts=tuple(split_parts(markdown)),
        media=media,
    )


def source_note(body: Body, *, wants_page: bool = False, page_cached: bool = False) -> str:
    """The reading pane's line about where the text comes from ("" for a plain feed article)."""
    if wants_page:
        return "the feed's text · fetching the full article from its page…"
    if body.source is BodySource.PAGE:
        return "full text from the page · t shows the feed's text"
    if page_cached:
        return "the feed's text · t shows the page's text"
    return ""


#: Characters of Markdown rendered at a time: the first part paints at once, the next ones
#: as the reader scrolls towards them, so a 1 MB article never freezes the app.
PART_CHARS = 12_000
#: ... and blocks (paragraphs) at most: each is a widget whose styles cost ~1 ms to apply.
PART_BLOCKS = 20


def split_parts(markdown: str, size: int = PART_CHARS, blocks: int = PART_BLOCKS) -> list[str]:
    """``markdown`` in parts of about ``size`` characters or ``blocks`` blocks, each
    ending between blocks.

    A part ends at a blank line outside a code fence once it is ``size`` long or holds
    ``blocks`` blocks; a run of text with no blank line is cut at a line end past ``size``
    (and a single huge line at a space), so no part is much longer than ``size``.
    """
    parts: list[str] = []
    lines: list[str] = []
    length = 0
    count = 0
    fence: str | None = None

    def cut() -> None:
        nonlocal length, count
        if lines:
            parts.append("".join(lines))
            lines.clear()
            length = count = 0

    for line in markdown.splitlines(keepends=True):
        while len(line) > 4 * size:
            space = line.rfind(" ", size, 2 * size)
            at = space + 1 if space > 0 else 2 * size
            cut()
            parts.append(line[:at] + "\n\n")
            line = line[at:]
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
        lines.append(line)
        length += len(line)
        blank = not stripped.strip()
        count += blank
        if fence is None and (
            (blank and (length >= size or count >= blocks)) or length >= 4 * size
        ):
            cut()
    cut()
    return parts or [""]


#: A feed text longer than twice this is converted in two steps: its head, to paint at
#: once, then the whole (HTML to Markdown runs at some 2 MB a second).
HEAD_HTML = 40_000


def prepare_head(reader: Reader, article_id: int) -> ArticleDisplay | None:
    """The first blocks of a long feed article, or None when the article is not long or
    its text comes from a cached page (call it from a thread)."""
    article = reader.article(article_id)
    if article is None or reader.full_text(article.id) is not None:
        return None
    html = article.content_html or article.summary_html or ""
    if len(html) <= 2 * HEAD_HTML:
        return None
    cut = html.find("</p>", HEAD_HTML)
    if cut < 0:
        return None
    head = replace(article, content_html=html[: cut + 4], summary_html=None)
    markdown = best_body(head, None).markdown.strip()
    # The last part may end mid-way through what the whole text has there: leave it out.
    parts = split_parts(markdown)
    return ArticleDisplay(
        article, markdown, None, word_count(markdown), parts=tuple(parts[:-1] or parts), head=True
    )
