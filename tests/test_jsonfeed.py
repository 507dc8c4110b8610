"""JSON Feed 1.0 and 1.1 documents written here, through parse_feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tuireader.models import Enclosure, FeedError
from tuireader.parse import parse_feed

URL = "https://json.example.com/feed.json"


def dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


FEED_10: dict[str, Any] = {
    "version": "https://jsonfeed.org/version/1",
    "title": "JSON One",
    "home_page_url": "https://site.example.com/blog/",
    "feed_url": URL,
    "description": "A JSON Feed 1.0",
    "author": {"name": "Feed Author", "url": "https://site.example.com/me"},
    "items": [
        {
            "id": 42,
            "url": "posts/42",
            "title": "Answer &amp; <i>question</i>",
            "content_html": '<p>Hello <a href="/x">x</a></p>',
            "summary": "Short & sweet",
            "date_published": "2024-01-02T03:04:05-05:00",
            "date_modified": "2024-01-03T00:00:00Z",
            "tags": ["one", "two", "one"],
            "attachments": [
                {"url": "audio/ep42.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 777},
                {"url": "javascript:alert(1)", "mime_type": "audio/mpeg"},
            ],
        },
        {
            "id": "plain",
            "external_url": "https://elsewhere.example.org/a",
            "content_text": "Line one\nline two\n\n<not a tag> & more",
            "date_published": "0001-01-01T00:00:00Z",
        },
    ],
}

FEED_11: dict[str, Any] = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON \u001b[31mEleven\u202e",
    "authors": [{"name": "Ann"}, {"name": "Bob"}, {"url": "https://nameless.example"}],
    "items": [
        {
            "id": "a",
            "url": "https://json.example.com/a",
            "title": "Has authors",
            "authors": [{"name": "Cy\u200b"}],
            "content_html": "<p>a</p>",
            "date_published": "garbage",
            "date_modified": "9999-12-31T23:59:59Z",
            "attachments": [
                {"url": "https://cdn.example.com/v.mp4", "mime_type": "video/mp4"},
                "not an object",
            ],
        },
        {"id": "b", "url": "data:text/html,hi", "title": "inherits"},
        "not an item",
    ],
}


def test_json_feed_10_every_field() -> None:
    feed = parse_feed(dump(FEED_10), url=URL, content_type="application/feed+json")
    assert feed.format == "json1"
    assert feed.title == "JSON One"
    assert feed.site_url == "https://site.example.com/blog/"
    assert feed.description == "A JSON Feed 1.0"
    first, second = feed.entries
    assert first.guid == "42"
    assert first.link == "https://site.example.com/blog/posts/42"  # home_page_url is the base
    assert first.title == "Answer & question"
    assert first.author == "Feed Author"
    assert first.published == datetime(2024, 1, 2, 8, 4, 5, tzinfo=UTC)
    assert first.updated == datetime(2024, 1, 3, tzinfo=UTC)
    assert first.content_html == '<p>Hello <a href="https://site.example.com/x">x</a></p>'
    assert first.summary_html == "<p>Short &amp; sweet</p>"
    assert first.categories == ("one", "two")
    assert first.enclosures == (
        Enclosure("https://site.example.com/blog/audio/ep42.mp3", "audio/mpeg", 777),
    )
    assert second.guid == "plain"
    assert second.link == "https://elsewhere.example.org/a"
    assert second.title == ""
    assert second.published is None  # year 1
    assert second.content_html == "<p>Line one<br>line two</p><p>&lt;not a tag&gt; &amp; more</p>"


def test_json_feed_11_authors_attachments_and_hostile_text() -> None:
    feed = parse_feed(dump(FEED_11), url=URL)
    assert feed.format == "json11"
    assert feed.title == "JSON Eleven"
    assert feed.site_url is None
    first, second = feed.entries
    assert first.author == "Cy"
    assert first.published is None
    assert first.updated is None
    assert first.enclosures == (Enclosure("https://cdn.example.com/v.mp4", "video/mp4", None),)
    assert second.author == "Ann, Bob"
    assert second.link is None  # data: dropped
    assert any("not objects" in w for w in feed.warnings)


def test_json_detected_by_sniffing_whatever_the_content_type() -> None:
    feed = parse_feed(b"  \n" + dump(FEED_10), url=URL, content_type="text/plain")
    assert feed.title == "JSON One"


def test_escaped_slashes_and_relative_link_without_home_page() -> None:
    body = (
        b'{"version":"https:\\/\\/jsonfeed.org\\/version\\/1.1","title":"t",'
        b'"items":[{"id":"1","url":"\\/p\\/1"}]}'
    )
    (entry,) = parse_feed(body, url=URL).entries
    assert entry.link == "https://json.example.com/p/1"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"rss": {"channel": {}}}', "not a feed: the JSON document is not a JSON Feed"),
        (b"[1, 2, 3]", "not a feed: the JSON document is not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', "invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"version": 1, "x": ' + b"9" * 5000 + b"}", "invalid JSON"),
    ],
)
def test_bad_json_raises_feed_error(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(body, url=URL, content_type="application/json")


def test_invalid_utf8_in_json_keeps_text() -> None:
    body = dump({**FEED_10, "title": "caf\u00e9 XX"}).replace(b"XX", b"\xff\xfe")
    assert parse_feed(body, url=URL).title == "caf\u00e9 \ufffd\ufffd"


def test_items_not_a_list_is_an_empty_feed_with_a_warning() -> None:
    feed = parse_feed(dump({**FEED_10, "items": {"a": 1}}), url=URL)
    assert feed.entries == ()
    assert feed.warnings
