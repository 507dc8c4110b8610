"""The bundled demo library: well-formed, complete, and readable by a real feed parser."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from lxml import etree, html

from tuireader.demo import DEMO_FEEDS, DemoFeed, demo_feed_body
from tuireader.parse import parse_feed

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
}
EXPECTED_ITEMS = {
    "harbour-gazette.xml": 7,
    "signal-and-noise.xml": 6,
    "field-notes.json": 6,
    "long-wave.xml": 6,
}
WINDOW_START = datetime(2026, 11, 16, 12, tzinfo=UTC)  # the last two weeks of November 2026,
WINDOW_END = datetime(2026, 12, 1, 12, tzinfo=UTC)  # with room for every time zone


def feed_named(filename: str) -> DemoFeed:
    return next(feed for feed in DEMO_FEEDS if feed.filename == filename)


def words(html_text: str) -> int:
    return len(html.fromstring(f"<div>{html_text}</div>").text_content().split())


def xml_root(feed: DemoFeed) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(demo_feed_body(feed), parser)


def rss_items(feed: DemoFeed) -> list[dict[str, Any]]:
    """Each RSS item's fields, read straight from the XML."""
    items = []
    for item in xml_root(feed).iterfind("channel/item"):
        author = item.findtext("dc:creator", namespaces=NS) or item.findtext(
            "itunes:author", namespaces=NS
        )
        items.append(
            {
                "title": item.findtext("title"),
                "link": item.findtext("link"),
                "date": parsedate_to_datetime(item.findtext("pubDate") or ""),
                "author": author,
                "description": item.findtext("description") or "",
                "content": item.findtext("content:encoded", namespaces=NS),
                "element": item,
            }
        )
    return items


def atom_entries(feed: DemoFeed) -> list[dict[str, Any]]:
    entries = []
    for entry in xml_root(feed).iterfind("atom:entry", NS):
        link = entry.find("atom:link[@rel='alternate']", NS)
        entries.append(
            {
                "title": entry.findtext("atom:title", namespaces=NS),
                "link": None if link is None else link.get("href"),
                "date": datetime.fromisoformat(entry.findtext("atom:published", namespaces=NS)),
                "author": entry.findtext("atom:author/atom:name", namespaces=NS),
                "content": entry.findtext("atom:content", namespaces=NS),
            }
        )
    return entries


def json_items(feed: DemoFeed) -> list[dict[str, Any]]:
    document = json.loads(demo_feed_body(feed))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["feed_url"] == feed.url
    return [
        {
            "title": item.get("title"),
            "link": item.get("url"),
            "date": datetime.fromisoformat(item["date_published"]),
            "author": ", ".join(a["name"] for a in item.get("authors", [])),
            "tags": item.get("tags", []),
            "content": item.get("content_html"),
        }
        for item in document["items"]
    ]


def items_of(feed: DemoFeed) -> list[dict[str, Any]]:
    if feed.filename.endswith(".json"):
        return json_items(feed)
    if xml_root(feed).tag == f"{{{NS['atom']}}}feed":
        return atom_entries(feed)
    return rss_items(feed)


def test_four_feeds_with_distinct_urls_titles_and_files() -> None:
    assert len(DEMO_FEEDS) == 4
    for attribute in ("url", "title", "filename"):
        assert len({getattr(feed, attribute) for feed in DEMO_FEEDS}) == 4
    assert {feed.filename for feed in DEMO_FEEDS} == set(EXPECTED_ITEMS)


@pytest.mark.parametrize("feed", DEMO_FEEDS, ids=lambda feed: feed.filename)
def test_each_file_is_well_formed_small_and_complete(feed: DemoFeed) -> None:
    body = demo_feed_body(feed)
    assert len(body) < 60 * 1024
    items = items_of(feed)
    assert len(items) == EXPECTED_ITEMS[feed.filename]
    for item in items:
        assert item["title"] and item["author"], item
        assert item["link"].startswith("https://") and feed.url.split("/")[2] in item["link"]
        assert WINDOW_START <= item["date"] <= WINDOW_END, item["date"]
        assert item["date"].tzinfo is not None
    assert len({item["link"] for item in items}) == len(items)
    # Spread over the fortnight, not bunched on one day.
    assert len({item["date"].date() for item in items}) >= 5


@pytest.mark.parametrize("feed", DEMO_FEEDS, ids=lambda feed: feed.filename)
def test_full_articles_are_150_to_600_words(feed: DemoFeed) -> None:
    full = [item for item in items_of(feed) if item["content"] or feed.filename == "long-wave.xml"]
    assert full
    for item in full:
        body = item["content"] or item["description"]
        assert 150 <= words(body) <= 600, (item["title"], words(body))


@pytest.mark.parametrize("feed", DEMO_FEEDS, ids=lambda feed: feed.filename)
def test_links_use_only_example_domains(feed: DemoFeed) -> None:
    text = demo_feed_body(feed).decode()
    hosts = set(re.findall(r"https?://([^/\"'<>\s]+)", text))
    namespace_hosts = {"purl.org", "www.w3.org", "www.itunes.com", "jsonfeed.org"}
    assert hosts - namespace_hosts
    for host in hosts - namespace_hosts:
        assert re.fullmatch(r"([a-z0-9-]+\.)*example\.(org|com|net)", host), host


def test_gazette_mixes_full_articles_and_teasers() -> None:
    items = rss_items(feed_named("harbour-gazette.xml"))
    teasers = [item for item in items if item["content"] is None]
    assert 2 <= len(teasers) < len(items)
    for item in teasers:
        assert item["description"].endswith("…")


def test_signal_and_noise_uses_rich_html() -> None:
    feed = feed_named("signal-and-noise.xml")
    self_link = xml_root(feed).find("atom:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href") == feed.url
    bodies = [html.fromstring(item["content"]) for item in atom_entries(feed)]
    for tag in ("h2", "ul", "ol", "blockquote", "pre", "code", "table"):
        assert any(body.findall(f".//{tag}") for body in bodies), tag
    assert any(body.findall(".//h2") and body.findall(".//table") for body in bodies)


def test_field_notes_items_have_authors_and_tags() -> None:
    items = json_items(feed_named("field-notes.json"))
    assert all(item["tags"] for item in items)
    assert len({item["author"] for item in items}) >= 3


def test_podcast_has_itunes_tags_and_audio_enclosures() -> None:
    feed = feed_named("long-wave.xml")
    root = xml_root(feed)
    assert root.findtext("channel/itunes:author", namespaces=NS)
    for item in rss_items(feed):
        element = item["element"]
        enclosure = element.find("enclosure")
        assert enclosure is not None and enclosure.get("type") == "audio/mpeg"
        assert int(enclosure.get("length")) > 1_000_000
        assert re.fullmatch(r"\d\d:\d\d:\d\d", element.findtext("itunes:duration", namespaces=NS))
        assert element.findtext("itunes:episode", namespaces=NS)


def test_stories_overlap_across_feeds() -> None:
    texts = {feed.filename: demo_feed_body(feed).decode().lower() for feed in DEMO_FEEDS}
    for topic, at_least in (("kestrel", 4), ("seagrass", 3), ("heat pump", 2), ("local-first", 2)):
        assert sum(topic in text for text in texts.values()) >= at_least, topic


@pytest.mark.parametrize("feed", DEMO_FEEDS, ids=lambda feed: feed.filename)
def test_the_project_parser_reads_every_entry(feed: DemoFeed) -> None:
    parsed = parse_feed(demo_feed_body(feed), url=feed.url)
    assert parsed.warnings == ()
    assert parsed.title == feed.title
    assert len(parsed.entries) == EXPECTED_ITEMS[feed.filename]
    for entry in parsed.entries:
        assert entry.title and entry.link and entry.author, entry
        assert entry.published is not None
        assert WINDOW_START <= entry.published <= WINDOW_END
        assert entry.content_html or entry.summary_html
    if feed.filename == "long-wave.xml":
        assert all(
            entry.enclosures and entry.enclosures[0].length and entry.enclosures[0].type
            for entry in parsed.entries
        )
