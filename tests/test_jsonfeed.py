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
    assert first.link == "https://json.example.com/posts/42"  # the document's URL is the base
    assert first.title == "Answer &amp; <i>question</i>"  # plain text by the spec
    assert first.author == "Feed Author"
    assert first.published == datetime(2024, 1, 2, 8, 4, 5, tzinfo=UTC)
    assert first.updated == datetime(2024, 1, 3, tzinfo=UTC)
    assert first.content_html == '<p>Hello <a href="https://json.example.com/x">x</a></p>'
    assert first.summary_html == "<p>Short &amp; sweet</p>"
    assert first.categories == ("one", "two")
    assert first.enclosures == (
        Enclosure("https://json.example.com/audio/ep42.mp3", "audio/mpeg", 777),
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


def _feed(*items: dict[str, Any], **top: Any) -> bytes:
    return dump({"version": "https://jsonfeed.org/version/1.1", "title": "t", **top,
                 "items": list(items)})  # fmt: skip


@pytest.mark.parametrize(
    "title", ["Why <table> beats <div> in email", "AT&T &amp; me", "x < y && y > z"]
)
def test_titles_are_plain_text_not_html(title: str) -> None:
    feed = parse_feed(_feed({"id": "1", "title": title}, title=title), url=URL)
    assert feed.title == title
    assert feed.entries[0].title == title


def test_relative_urls_resolve_against_the_documents_own_url_not_home_page() -> None:
    body = _feed(
        {"id": "1", "url": "posts/1", "content_html": '<img src="img/a.png">'},
        home_page_url="https://www.example.com/blog/",
        feed_url="https://feeds.example.com/x/feed.json",
    )
    entry = parse_feed(body, url="https://feeds.example.com/x/feed.json").entries[0]
    assert entry.link == "https://feeds.example.com/x/posts/1"
    assert entry.content_html == '<img src="https://feeds.example.com/x/img/a.png">'


def test_feed_url_is_the_base_when_the_document_has_no_web_url() -> None:
    body = _feed({"id": "1", "url": "posts/1"}, feed_url="https://feeds.example.com/x/f.json")
    entry = parse_feed(body, url="file:///home/me/f.json").entries[0]
    assert entry.link == "https://feeds.example.com/x/posts/1"


def test_empty_authors_falls_back_to_the_items_author_object() -> None:
    body = _feed(
        {"id": "1", "authors": [], "author": {"name": "Item Author"}},
        authors=[{"name": "Feed Author"}],
    )
    assert parse_feed(body, url=URL).entries[0].author == "Item Author"


def test_items_with_nothing_to_tell_them_apart_get_distinct_stable_ids() -> None:
    body = _feed({"content_text": "first"}, {"content_text": "second"}, {"content_text": "first"})
    first, second, third = parse_feed(body, url=URL).entries
    assert first.guid and second.guid and first.guid != second.guid
    assert third.guid == first.guid  # the same content is the same article
    assert parse_feed(body, url=URL).entries[0].guid == first.guid


def test_items_keyed_by_their_own_data_get_no_made_up_id() -> None:
    body = _feed({"url": "https://e.org/a"}, {"title": "Titled"})
    assert [e.guid for e in parse_feed(body, url=URL).entries] == [None, None]


def test_only_date_modified_is_also_the_published_date() -> None:
    body = _feed({"id": "1", "date_modified": "2024-05-01T10:00:00Z"})
    entry = parse_feed(body, url=URL).entries[0]
    assert entry.published == entry.updated == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_wordpress_escaped_titles_are_decoded_but_never_stripped() -> None:
    body = _feed(
        {"id": "1", "title": "FCC &#8216;Jokes&#8217;"},
        {"id": "2", "title": "Lists &amp; Dictionaries <br> kept"},
    )
    first, second = parse_feed(body, url=URL).entries
    assert first.title == "FCC \u2018Jokes\u2019"
    assert second.title == "Lists & Dictionaries <br> kept"
