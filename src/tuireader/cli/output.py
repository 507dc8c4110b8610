"""What the commands print: one-line errors, stable JSON, article rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from json.encoder import encode_basestring
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
        "enclosures": [
            {"url": e.url, "type": e.type, "length": e.length, "duration": e.duration}
            for e in article.enclosures
        ],
    }


def print_json(value: object, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _scalar_json(value: object) -> str:
    """A JSON scalar, without the encoder's per-call set-up for the common kinds."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if value == [] or value == {}:  # an article without enclosures: indent prints these as is
        return "[]" if isinstance(value, list) else "{}"
    return _ENCODE(value)


def _item_json(item: object) -> str:
    """One list item as ``print_json`` indents it (two levels deep).

    A flat object (every article row; an empty list, such as no enclosures, counts as
    flat) is put together from its encoded values: the standard encoder falls back to
    pure Python whenever ``indent`` is set, which made it most of the CPU time of a
    100,000-article listing (bench/cli_bench.py).
    """
    if (
        isinstance(item, dict)
        and item
        and not any(isinstance(v, dict | list | tuple) and v for v in item.values())
    ):
        fields = ",\n    ".join(
            f"{encode_basestring(str(k))}: {_scalar_json(v)}" for k, v in item.items()
        )
        return "{\n    " + fields + "\n  }"
    return json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")


def print_json_items(items: Iterable[object], out: TextIO) -> int:
    """A JSON list written item by item, exactly as ``print_json`` would print it whole.

    Nothing is held but the current item, so a listing of any length streams out.
    Returns how many items were written.
    """
    count = 0
    for item in items:
        out.write(("[\n  " if count == 0 else ",\n  ") + _item_json(item))
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
