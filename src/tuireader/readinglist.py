"""Recommended articles as a reading list to share: JSON for tools, Markdown for people."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tuireader.models import ArticleSummary
from tuireader.sanitize import clean_line
from tuireader.store.db import to_db_time


def reading_list_json(articles: Sequence[ArticleSummary]) -> str:
    items = [
        {
            "title": a.title,
            "link": a.link,
            "feed": a.feed_title,
            "author": a.author,
            "published": to_db_time(a.published),
        }
        for a in articles
    ]
    return json.dumps({"recommended": items}, ensure_ascii=False, indent=2) + "\n"


def _md_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in clean_line(text))


def reading_list_markdown(articles: Sequence[ArticleSummary]) -> str:
    lines = ["# Recommended reading", ""]
    for a in articles:
        title = _md_escape(a.title or "(untitled)")
        entry = f"- [{title}]({a.link})" if a.link else f"- {title}"
        byline = ", ".join(_md_escape(p) for p in (a.author, a.feed_title) if p)
        date = a.published.strftime("%d %b %Y") if a.published else ""
        details = " · ".join(p for p in (byline, date) if p)
        lines.append(f"{entry} — {details}" if details else entry)
    return "\n".join(lines) + "\n"
