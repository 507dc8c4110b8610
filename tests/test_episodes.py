"""Podcast episodes: the download queue over real loopback HTTP, resume, caps, names, cleanup."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loopback import LoopbackServer, Request, close_mid_body, ranged
from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.media.files import numbered, readable_name
from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUDIO = bytes(range(256)) * 4096  # 1 MiB that is not all zeros: a wrong offset shows


def make(tmp_path: Path, **config: object) -> Reader:
    return make_reader(db_path=tmp_path / "t.db", config=Config(**config), clock=lambda: T0)  # type: ignore[arg-type]


def episode(reader: Reader, url: str, *, title: str = "Winter light", n: int = 1) -> int:
    feed = reader.store.add_feed(f"https://pod.example/{n}.xml")
    entry = ParsedEntry(
        title=title,
        guid=f"ep-{n}",
        published=T0,
        enclosures=(Enclosure(url, "audio/mpeg", len(AUDIO)),),
    )
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title="The Long Wave", entries=(entry,)),
        body_hash=str(n),
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    return reader.store.article_ids(ArticleQuery(feed_id=feed.id))[0]


def run(reader: Reader) -> list:  # type: ignore[type-arg]
    return asyncio.run(reader.episodes.download_queued())


def test_download_goes_to_a_readable_name_in_the_cache_dir(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.add_handler("/ep.mp3", ranged(AUDIO))
    reader = make(tmp_path)
    article_id = episode(reader, http_server.url("/ep.mp3"), title="42: Winter light / part 1")
    assert [s.download for s in reader.episodes.queue([article_id])] == ["none"]
    [outcome] = run(reader)
    assert outcome.error is None and outcome.path is not None
    assert outcome.path.parent == reader.episodes.folder
    assert outcome.path.name == "The Long Wave - 42 Winter light part 1.mp3"
    assert outcome.path.read_bytes() == AUDIO
    [state] = reader.episodes.states(article_id)
    assert (state.download, state.bytes, state.path) == ("done", len(AUDIO), str(outcome.path))
    assert reader.store.download_queue() == []
    # Queued again: nothing to do, nothing fetched.
    assert reader.episodes.queue([article_id]) == []


def test_a_broken_download_resumes_with_a_range_request(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.add_handler("/ep.mp3", close_mid_body(AUDIO, sent=300_000))
    reader = make(tmp_path)
    article_id = episode(reader, http_server.url("/ep.mp3"))
    reader.episodes.queue([article_id])
    [first] = run(reader)
    assert first.error is not None and "kept" in first.error
    [state] = reader.episodes.states(article_id)
    assert state.download == "failed" and 0 < state.bytes <= 300_000
    kept = state.bytes

    http_server.add_handler("/ep.mp3", ranged(AUDIO))
    reader.episodes.queue([article_id])
    [second] = run(reader)
    assert second.error is None and second.resumed
    assert second.transferred == len(AUDIO) - kept
    assert http_server.requests[-1][2]["range"] == f"bytes={kept}-"
    assert second.path is not None and second.path.read_bytes() == AUDIO


def test_a_server_that_ignores_range_starts_the_file_over(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.add_handler("/ep.mp3", close_mid_body(AUDIO, sent=200_000))
    reader = make(tmp_path)
    article_id = episode(reader, http_server.url("/ep.mp3"))
    reader.episodes.queue([article_id])
    run(reader)
    http_server.add("/ep.mp3", AUDIO, content_type="audio/mpeg")  # always 200, whole file
    reader.episodes.queue([article_id])
    [outcome] = run(reader)
    assert outcome.error is None and not outcome.resumed
    assert outcome.path is not None and outcome.path.read_bytes() == AUDIO


def test_an_episode_over_the_cap_is_refused_before_its_body(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.add("/big.mp3", AUDIO, content_type="audio/mpeg")
    reader = make(tmp_path, download_max_bytes=100_000)
    article_id = episode(reader, http_server.url("/big.mp3"))
    reader.episodes.queue([article_id])
    [outcome] = run(reader)
    assert outcome.error == "1 MB is over the download limit of 98 KB"
    assert not any(reader.episodes.folder.glob("*")) if reader.episodes.folder.exists() else True
    [state] = reader.episodes.states(article_id)
    assert state.download == "failed"


def test_an_undeclared_size_is_cut_at_the_cap(tmp_path: Path, http_server: LoopbackServer) -> None:
    def no_length(request: Request) -> None:
        request.write(b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nConnection: close\r\n\r\n")
        request.write(AUDIO)

    http_server.add_handler("/stream.mp3", no_length)
    reader = make(tmp_path, download_max_bytes=200_000)
    article_id = episode(reader, http_server.url("/stream.mp3"))
    reader.episodes.queue([article_id])
    [outcome] = run(reader)
    assert outcome.error == "over the download limit of 195 KB"
    assert list(reader.episodes.folder.glob("*")) == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/y.mp3"])
def test_only_web_addresses_are_downloaded(tmp_path: Path, url: str) -> None:
    reader = make(tmp_path)
    article_id = episode(reader, url)
    reader.episodes.queue([article_id])
    [outcome] = run(reader)
    assert outcome.error is not None and outcome.error.startswith("not a web address")


def test_two_episodes_with_one_title_get_two_files(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.add_handler("/a.mp3", ranged(b"a" * 1000))
    http_server.add_handler("/b.mp3", ranged(b"b" * 1000))
    reader = make(tmp_path)
    first = episode(reader, http_server.url("/a.mp3"), n=1)
    second = episode(reader, http_server.url("/b.mp3"), n=2)
    reader.episodes.queue([first, second])
    outcomes = run(reader)
    names = sorted(o.path.name for o in outcomes)
    assert names == ["The Long Wave - Winter light (2).mp3", "The Long Wave - Winter light.mp3"]


def test_readable_names_are_safe() -> None:
    name = readable_name("../../etc", "\x1b[31mpasswd\x07: a/b\\c", "https://x/e.MP3?x=1", None)
    assert "/" not in name and "\\" not in name and "\x1b" not in name
    assert not name.startswith(".")
    assert name.endswith(".mp3")
    assert readable_name("F", "T", "https://x/episode", "audio/ogg").endswith(".oga")
    assert len(readable_name("F" * 300, "T" * 300, "https://x/e.mp3", None)) <= 120
    assert numbered("a b.mp3", 3) == "a b (3).mp3"
    shell = readable_name("-rf", "$(rm -x) `id` ${HOME}; ok", "https://x/e.mp3", None)
    assert shell == "rf - (rm -x) id {HOME}; ok.mp3"


def test_cleanup_removes_played_downloads_past_retention(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.add_handler("/ep.mp3", ranged(b"x" * 5000))
    now = [T0]
    reader = make_reader(
        db_path=tmp_path / "t.db", config=Config(keep_downloads_days=7), clock=lambda: now[0]
    )
    article_id = episode(reader, http_server.url("/ep.mp3"))
    reader.episodes.queue([article_id])
    [outcome] = run(reader)
    assert outcome.path is not None
    reader.store.set_played(article_id, http_server.url("/ep.mp3"), True)
    now[0] = T0 + timedelta(days=6)
    assert reader.episodes.remove_played() == []
    now[0] = T0 + timedelta(days=8)
    assert reader.episodes.remove_played() == [outcome.path]
    assert not outcome.path.exists()
    [state] = reader.episodes.states(article_id)
    assert state.download == "none" and state.played


def test_auto_download_finds_new_episodes_of_chosen_feeds(tmp_path: Path) -> None:
    reader = make(tmp_path)
    article_id = episode(reader, "https://pod.example/ep.mp3")
    [feed] = reader.feeds()
    assert reader.store.new_episode_ids(after_id=0) == []
    reader.store.set_auto_download(feed.id, True)
    assert reader.store.new_episode_ids(after_id=0) == [article_id]
    assert reader.store.new_episode_ids(after_id=article_id) == []
    assert reader.store.last_article_id() == article_id
