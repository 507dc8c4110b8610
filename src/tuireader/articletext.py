"""An article as plain text, for ``tuireader show`` and anything else that prints one.

Plain means plain: the body's Markdown is undone (``plaintext``), its links become
numbered references listed after the text.
"""

from __future__ import annotations

from tuireader.core import Reader
from tuireader.fulltext import BodySource
from tuireader.models import Article
from tuireader.plaintext import markdown_to_text
from tuireader.sanitize import clean_text


def article_as_text(reader: Reader, article: Article) -> str:
    """Title, byline, date and link, then the body: the extracted page when cached."""
    body = reader.body(article)
    page = body.full_text if body.source is BodySource.PAGE else None
    lines = [article.title or (page.title if page else None) or "(untitled)"]
    author = article.author or (page.author if page else None)
    lines.append(f"by {author} · {article.feed_title}" if author else article.feed_title)
    published = article.published or (page.published if page else None)
    if published:
        lines.append(published.strftime("%A %d %B %Y, %H:%M UTC"))
    if article.link:
        lines.append(article.link)
    for enclosure in article.enclosures:
        lines.append(f"attachment: {enclosure.url} ({enclosure.type or 'file'})")
    if page is not None:
        lines.append(f"(full text from the web page, fetched {page.fetched_at:%Y-%m-%d %H:%M} UTC)")
    text = "\n".join(lines) + "\n\n"
    if page is not None and page.standfirst:
        text += page.standfirst.strip() + "\n\n"
    body_text = markdown_to_text(body.markdown).strip()
    if body_text:
        text += body_text + "\n"
    return clean_text(text)
