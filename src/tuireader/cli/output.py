"""What the commands print: one-line errors, stable JSON, article rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from tuireader.core import Reader
from tuireader.models import (
    ArticleSummary,
    Feed,
)
from tuireader.store import NoSuchFeedError
from tuireader.store.db import to_db_time


class CliError(Exception):
    """Ends the command with this one-line message and exit code 1."""


def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC, the format --json promises (the store's own)."""
    return to_db_time(value)


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "folder": feed.folder,
        "site_url": feed.site_url,
        "unread": feed.unread,
        "total": feed.total,
        "last_error": feed.last_error,
        "consecutive_failures": feed.consecutive_failures,
        "last_fetched": iso(feed.last_fetched),
        "gone": feed.gone,
    }


def article_json(article: ArticleSummary) -> dict[str, Any]:
    return {
        "id": article.id,
        "feed_id": article.feed_id,
        "feed_title": article.feed_title,
        "title": article.title,
        "link": article.link,
        "author": article.author,
        "published": iso(article.published),
        "read": article.read,
        "starred": article.starred,
        "recommended": article.recommended,
    }


def print_json(value: object, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


def print_json_items(items: Iterable[object], out: TextIO) -> int:
    """A JSON list written item by item, as ``print_json`` would print it whole.

    Nothing is held but the current item, so a listing of any length streams out.
    Returns how many items were written.
    """
    count = 0
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(("[\n  " if count == 0 else ",\n  ") + text)
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def write_articles(articles: Iterable[ArticleSummary], as_json: bool, out: TextIO) -> int:
    """Article rows (or JSON), written as they come; returns how many."""
    if as_json:
        return print_json_items((article_json(a) for a in articles), out)
    count = 0
    for article in articles:
        count += 1
        marks = ("N" if not article.read else " ") + ("*" if article.starred else " ")
        marks += "+" if article.recommended else " "
        date = article.published.strftime("%Y-%m-%d") if article.published else " " * 10
        out.write(f"{article.id:>7} {marks} {date}  {article.feed_title}: {article.title}\n")
    return count


def find_feed(reader: Reader, key: str) -> Feed:
    try:
        return reader.find_feed(key)
    except NoSuchFeedError as error:
        raise CliError(str(error)) from error
