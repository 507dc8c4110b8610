"""Every real-world feed in ../shared/corpus/feeds parses cleanly or fails with FeedError."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tuireader.models import FeedError, ParsedFeed
from tuireader.parse import parse_feed

pytestmark = pytest.mark.corpus

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def corpus_files(shared_dir: Path) -> list[Path]:
    folder = shared_dir / "corpus" / "feeds"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "SOURCE.md")


def display_fields(feed: ParsedFeed) -> list[str]:
    values: list[str | None] = [feed.title, feed.site_url, feed.description, *feed.warnings]
    for entry in feed.entries:
        values += [entry.title, entry.author, entry.link, *entry.categories]
        values += [e.type for e in entry.enclosures] + [e.url for e in entry.enclosures]
    return [v for v in values if v]


def test_every_corpus_file_parses_or_fails_cleanly(shared_dir: Path) -> None:
    parsed = 0
    for path in corpus_files(shared_dir):
        try:
            feed = parse_feed(path.read_bytes(), url=f"https://corpus.example/{path.name}")
        except FeedError as error:
            assert str(error) and "\n" not in str(error), path.name
            continue
        parsed += 1
        for text in display_fields(feed):
            assert not _CONTROL.search(text), (path.name, text)
        for entry in feed.entries:
            for html in (entry.summary_html, entry.content_html):
                assert html is None or not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", html)
            for date in (entry.published, entry.updated):
                assert date is None or date.utcoffset() is not None
    assert parsed > 90


@pytest.mark.parametrize(
    ("name", "entries", "title"),
    [
        ("nnw--DaringFireball.atom", 48, "Daring Fireball"),
        ("nnw--DaringFireball.json", 48, "Daring Fireball"),
        ("nnw--DaringFireball.rss", 47, "Daring Fireball"),
        ("nnw--atp.rss", 100, "Accidental Tech Podcast"),
        ("miniflux--encoding_WINDOWS-1251.xml", 50, "iBash.Org.Ru"),
        ("miniflux--urdu_UTF8.xml", 26, None),
        ("feedrs--jsonfeed_elastic_1.1.json", 3, "Blog \u2013 InfluxData"),
        ("miniflux--encoding-windows-1252-incorrect-prolog.xml", 0, "Euro \u20ac"),
    ],
)
def test_known_good_feeds(shared_dir: Path, name: str, entries: int, title: str | None) -> None:
    path = shared_dir / "corpus" / "feeds" / name
    if not path.is_file():
        pytest.skip(f"{name} is absent")
    feed = parse_feed(path.read_bytes(), url=f"https://corpus.example/{name}")
    assert len(feed.entries) == entries
    if title is not None:
        assert feed.title == title
    assert all(e.title or e.content_html or e.summary_html for e in feed.entries)


def test_podcast_enclosures_and_relative_links(shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "feeds"
    atp = folder / "nnw--atp.rss"
    relurl = folder / "feedrs--rss_2.0_relurl_2.xml"
    if not (atp.is_file() and relurl.is_file()):
        pytest.skip("corpus files absent")
    feed = parse_feed(atp.read_bytes(), url="https://atp.fm/rss")
    assert all(e.enclosures and e.enclosures[0].url.startswith("http") for e in feed.entries)
    assert feed.entries[0].enclosures[0].type == "audio/mpeg"
    (entry,) = parse_feed(relurl.read_bytes(), url="https://relurl.example/feed/rss.xml").entries
    assert [e.url for e in entry.enclosures] == [
        "https://relurl.example/images/me/hackergotchi-simpler.png"
    ]
