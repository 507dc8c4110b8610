"""An episode's length in time, as feeds give it, from every parser to the reading pane."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tuireader.core import make_reader
from tuireader.models import Enclosure
from tuireader.parse import parse_feed
from tuireader.parse.fastxml import parse_fast
from tuireader.parse.fields import seconds
from tuireader.store.articles import _encode_enclosures, decode_enclosures
from tuireader.ui.media import enclosure_line

URL = "https://pod.example/feed.xml"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def podcast(duration: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<rss version="2.0" xmlns:itunes="{ITUNES}"><channel><title>Pod</title>'
        f"<item><title>Episode</title><guid>ep-1</guid>{extra}"
        '<enclosure url="https://pod.example/1.mp3" length="1000" type="audio/mpeg"/>'
        '<enclosure url="https://pod.example/1.ogg" length="900" type="audio/ogg"/>'
        f"<itunes:duration>{duration}</itunes:duration></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:02:03", 3723),
        ("62:03", 3723),
        ("3723", 3723),
        (" 45 ", 45),
        ("12.6", 13),
        (90.0, 90),
        ("", None),
        ("0", None),
        ("-5", None),
        ("1:2:3:4", None),
        ("an hour", None),
        ("999999:00:00", None),
        (True, None),
        (None, None),
    ],
)
def test_durations_read_as_podcast_feeds_write_them(text: object, expected: int | None) -> None:
    assert seconds(text) == expected


def test_itunes_duration_is_the_first_enclosures_on_both_parsers() -> None:
    fast_body = podcast("41:12")
    assert parse_fast(fast_body, URL) is not None  # the lxml fast path reads it
    # An item child the fast path does not know sends the document to feedparser.
    slow_body = podcast("41:12", extra='<x:note xmlns:x="https://x.example/">n</x:note>')
    assert parse_fast(slow_body, URL) is None
    for body in (fast_body, slow_body):
        [entry] = parse_feed(body, url=URL).entries
        assert [e.duration for e in entry.enclosures] == [41 * 60 + 12, None]


def test_json_feed_attachment_duration() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Pod",
            "items": [
                {
                    "id": "1",
                    "content_text": "x",
                    "attachments": [
                        {
                            "url": "https://pod.example/1.mp3",
                            "mime_type": "audio/mpeg",
                            "duration_in_seconds": 1800,
                        }
                    ],
                }
            ],
        }
    ).encode()
    [entry] = parse_feed(body, url=URL).entries
    assert entry.enclosures[0].duration == 1800


def test_stored_enclosures_round_trip_and_older_rows_still_read() -> None:
    enclosures = (
        Enclosure("https://pod.example/1.mp3", "audio/mpeg", 1000, 3723),
        Enclosure("https://pod.example/1.ogg", "audio/ogg", None),
    )
    assert decode_enclosures(_encode_enclosures(enclosures)) == enclosures
    # Rows written before durations were kept have three fields.
    old = '[["https://pod.example/1.mp3", "audio/mpeg", 1000]]'
    assert decode_enclosures(old) == (Enclosure("https://pod.example/1.mp3", "audio/mpeg", 1000),)


def test_the_feeds_duration_shows_until_a_player_reports_its_own(tmp_path: Path) -> None:
    reader = make_reader(db_path=tmp_path / "t.db")
    feed = reader.store.add_feed(URL, title="Pod")
    reader.store.store_feed(
        feed.id,
        parse_feed(podcast("41:12"), url=URL),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    [article_id] = reader.store.query_ids("")
    first = reader.store.enclosure_states(article_id)[0]
    assert first.duration == 41 * 60 + 12
    assert "41:12" in enclosure_line(first, 1).plain
    reader.store.record_playback(
        article_id, first.url, position=30.0, duration=2475.5, played=False
    )
    assert reader.store.enclosure_states(article_id)[0].duration == 2475.5
    reader.close()
