"""Podcasts, notifications and stats from the command line, over real loopback HTTP."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from loopback import LoopbackServer, ranged
from tuireader.cli import main
from tuireader.core import make_reader
from tuireader.models import ArticleSummary
from tuireader.notify import Notification, send, summarise, terminal_sequence
from tuireader.store import ArticleQuery

EPISODE = b"ID3" + bytes(range(256)) * 200


ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def podcast(base: str, episodes: int = 2, title: str = "The Long Wave") -> bytes:
    items = "".join(
        f"<item><title>Episode {n}</title><guid>ep-{n}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 1{n}:00:00 GMT</pubDate>"
        f'<enclosure url="{base}/ep{n}.mp3" length="{len(EPISODE)}" type="audio/mpeg"/>'
        + (f"<itunes:duration>{n}:02:03</itunes:duration>" if n else "")
        + "</item>"
        for n in range(episodes)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0" xmlns:itunes="{ITUNES}">'
        f"<channel><title>{title}</title>"
        f"<link>https://pod.example/</link>{items}</channel></rss>"
    ).encode()


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def serve_podcast(http_server: LoopbackServer, episodes: int = 2) -> None:
    base = http_server.url("/").rstrip("/")
    http_server.add("/pod.xml", podcast(base, episodes))
    for n in range(episodes):
        http_server.add_handler(f"/ep{n}.mp3", ranged(EPISODE))


def test_list_articles_json_carries_enclosures(http_server: LoopbackServer) -> None:
    serve_podcast(http_server)
    assert run("add", http_server.url("/pod.xml"))[0] == 0
    code, text = run("list", "articles", "--json")
    articles = json.loads(text)
    # The newest episode's itunes:duration (1:02:03) is its enclosure's duration in seconds.
    assert articles[0]["enclosures"] == [
        {
            "url": http_server.url("/ep1.mp3"),
            "type": "audio/mpeg",
            "length": len(EPISODE),
            "duration": 3723,
        }
    ]
    assert articles[1]["enclosures"][0]["duration"] is None


def test_download_list_and_played(http_server: LoopbackServer, tmp_path: Path) -> None:
    serve_podcast(http_server)
    run("add", http_server.url("/pod.xml"))
    [first, _second] = json.loads(run("list", "articles", "--json")[1])
    code, text = run("download", str(first["id"]))
    assert code == 0
    assert (
        text == f"downloaded: The Long Wave - Episode 1.mp3 ({len(EPISODE) // 1024} KB fetched)\n"
    )
    assert (
        tmp_path / "cache" / "downloads" / "The Long Wave - Episode 1.mp3"
    ).read_bytes() == EPISODE

    [state] = json.loads(run("download", "--list", "--json")[1])
    assert (state["article_id"], state["download"], state["played"]) == (first["id"], "done", False)
    assert run("played", str(first["id"]))[1] == "played: Episode 1\n"
    [state] = json.loads(run("download", "--list", "--json")[1])
    assert state["played"] is True
    # Played is not read: the article's own read mark is untouched.
    assert json.loads(run("list", "articles", "--json")[1])[0]["read"] is False
    code, text = run("download", "999")
    assert code == 1


def test_cleanup_removes_played_downloads_with_retention_off(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    # keep_downloads_days (7) applies on its own: articles are kept forever by default, but
    # a file played 8 days ago is not.
    serve_podcast(http_server, episodes=1)
    run("add", http_server.url("/pod.xml"))
    [article] = json.loads(run("list", "articles", "--json")[1])
    run("download", str(article["id"]))
    past = datetime.now(UTC) - timedelta(days=8)
    reader = make_reader(clock=lambda: past)
    reader.store.set_played(article["id"], http_server.url("/ep0.mp3"), True)
    reader.close()
    code, text = run("cleanup")
    assert code == 0 and "removed 1 played download" in text
    assert list((tmp_path / "cache" / "downloads").iterdir()) == []


def test_a_failed_download_resumes_with_plain_download(http_server: LoopbackServer) -> None:
    serve_podcast(http_server, episodes=1)
    run("add", http_server.url("/pod.xml"))
    [article] = json.loads(run("list", "articles", "--json")[1])
    http_server.add("/ep0.mp3", b"gone", status=404, content_type="text/plain")
    code, text = run("download", str(article["id"]))
    assert code == 1 and "failed: Episode 0: HTTP 404 Not Found" in text
    http_server.add_handler("/ep0.mp3", ranged(EPISODE))
    code, text = run("download")
    assert code == 0 and text.startswith("downloaded: The Long Wave - Episode 0.mp3")
    assert run("download")[1] == "nothing waits in the download queue\n"


def test_refresh_downloads_new_episodes_of_auto_download_feeds(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    serve_podcast(http_server, episodes=1)
    run("add", http_server.url("/pod.xml"))
    code, text = run("edit", "1", "--auto-download")
    assert code == 0
    serve_podcast(http_server, episodes=2)  # a new episode appears
    code, text = run("refresh")
    assert code == 0 and "episodes: 1 download, 0 failed" in text
    assert [p.name for p in (tmp_path / "cache" / "downloads").iterdir()] == [
        "The Long Wave - Episode 1.mp3"
    ]
    # On data saver, nothing is fetched by itself.
    assert run("edit", "1", "--data-saver")[0] == 0
    serve_podcast(http_server, episodes=3)
    code, text = run("refresh")
    assert code == 0 and "episodes:" not in text
    assert len(list((tmp_path / "cache" / "downloads").iterdir())) == 1


def test_stats_counts_opened_articles_and_traffic(http_server: LoopbackServer) -> None:
    serve_podcast(http_server)
    run("add", http_server.url("/pod.xml"))
    reader = make_reader()
    try:
        for article in reader.articles(ArticleQuery(), limit=10):
            reader.store.record_event("open", article_id=article.id)
    finally:
        reader.close()
    code, text = run("stats", "--days", "3", "--json")
    stats = json.loads(text)
    assert stats["opened"] == 2 and stats["feeds"] == [{"title": "The Long Wave", "opened": 2}]
    assert stats["days"][-1]["opened"] == 2 and len(stats["days"]) == 3
    code, text = run("stats", "--days", "3")
    assert code == 0
    assert text.startswith("last 3 days: 2 articles opened")
    assert "Articles opened per day" in text and "Most read feeds" in text
    assert "Minutes reading per day: nothing yet" in text
    assert "\x1b" not in text  # not a terminal: no colour codes


def test_notification_is_one_per_refresh_and_safe() -> None:
    t = datetime(2026, 11, 20, tzinfo=UTC)
    articles = [
        ArticleSummary(
            n,
            1,
            "Gazette;\x1b]52;c;evil\x07",
            f"Story\x1b[2J {n}",
            None,
            None,
            t,
            False,
            False,
            False,
        )
        for n in range(5)
    ]
    note = summarise(articles)
    assert note is not None
    assert note.title == "tuireader: 5 new articles in Gazette;"
    assert note.body.splitlines() == ["Story 0", "Story 1", "Story 2", "and 2 more"]
    assert summarise([]) is None
    sequence = terminal_sequence(note, "osc777", in_tmux=False)
    assert sequence.startswith("\x1b]777;notify;tuireader: 5 new articles in Gazette,;Story 0")
    assert sequence.count("\x1b") == 2 and sequence.endswith("\x1b\\")
    wrapped = terminal_sequence(note, "osc9", in_tmux=True)
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]9;") and wrapped.endswith("\x1b\x1b\\\x1b\\")


def test_notification_reaches_a_real_terminal() -> None:
    master, slave = os.openpty()
    with os.fdopen(slave, "w") as terminal:
        channel = send(
            Notification("tuireader: 1 new article", "Story"), terminal, {"TERM": "foot"}
        )
    assert channel == "osc777"
    received = os.read(master, 1000)
    os.close(master)
    assert received == b"\x1b]777;notify;tuireader: 1 new article;Story\x1b\\"
    assert send(Notification("t", "b"), io.StringIO(), {}) == "none"


def test_refresh_notify_flag_runs_without_a_terminal(http_server: LoopbackServer) -> None:
    serve_podcast(http_server)
    code, text = run("add", http_server.url("/pod.xml"))
    code, text = run("refresh", "--notify")
    assert code == 0


def test_streamed_json_with_enclosures_is_what_print_json_prints() -> None:
    """Rows without enclosures stay on the fast path; rows with them too come out exactly."""
    from tuireader.cli.output import print_json, print_json_items

    rows = [
        {"id": 1, "title": "No episode \u00e9", "enclosures": [], "published": None},
        {"id": 2, "enclosures": [{"url": "https://x/e.mp3", "type": None, "length": 3}]},
    ]
    whole, streamed = io.StringIO(), io.StringIO()
    print_json(rows, whole)
    print_json_items(iter(rows), streamed)
    assert streamed.getvalue() == whole.getvalue()
