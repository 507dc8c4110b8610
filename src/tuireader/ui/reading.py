"""What the reading pane shows for one article, prepared off the event loop."""

from __future__ import annotations

from dataclasses import dataclass

from tuireader.core import Reader
from tuireader.htmlmd import word_count
from tuireader.models import Article
from tuireader.sanitize import clean_line, safe_link
from tuireader.ui.links import Link, article_links


@dataclass(frozen=True, slots=True)
class ArticleDisplay:
    article: Article
    markdown: str
    links: tuple[Link, ...]
    words: int


def prepare_article(reader: Reader, article_id: int) -> ArticleDisplay | None:
    """Load and convert an article (call it from a thread: it reads the disk and parses HTML)."""
    article = reader.store.get_article(article_id)
    if article is None:
        return None
    markdown = reader.body(article).markdown.strip() or "*This article has no text in the feed.*"
    attachments = [
        f"- [{clean_line(e.type) or 'attachment'}: {url}]({url})"
        for e in article.enclosures
        if (url := safe_link(e.url))
    ]
    if attachments:
        markdown += "\n\n**Attachments**\n\n" + "\n".join(attachments)
    return ArticleDisplay(article, markdown, tuple(article_links(markdown)), word_count(markdown))
