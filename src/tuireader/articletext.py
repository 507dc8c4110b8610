"""An article as plain text, for ``tuireader show`` and anything else that prints one."""

from __future__ import annotations

from tuireader.core import Reader
from tuireader.htmlmd import html_to_markdown
from tuireader.models import Article
from tuireader.sanitize import clean_text


def article_body_markdown(article: Article) -> str:
    """The best body the feed gave: full content over summary, as Markdown."""
    html = article.content_html or article.summary_html or ""
    return html_to_markdown(html, base_url=article.link) if html else ""


def article_as_text(reader: Reader, article: Article) -> str:
    lines = [article.title or "(untitled)"]
    byline = " · ".join(part for part in (article.author, article.feed_title) if part)
    if byline:
        lines.append(f"by {byline}" if article.author else byline)
    if article.published:
        lines.append(article.published.strftime("%A %d %B %Y, %H:%M UTC"))
    if article.link:
        lines.append(article.link)
    for enclosure in article.enclosures:
        lines.append(f"attachment: {enclosure.url} ({enclosure.type or 'file'})")
    body = article_body_markdown(article)
    text = "\n".join(lines) + "\n\n" + (body.strip() + "\n" if body.strip() else "")
    return clean_text(text)
