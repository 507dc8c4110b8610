"""The headless command line, run as users and scripts run it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from feedgen import rss
from loopback import LoopbackServer
from tuireader.cli import main
from tuireader.core import make_reader
from tuireader.paths import resolve_dirs

ARTICLE_KEYS = {
    "id",
    "feed_id",
    "title",
    "link",
    "author",
    "published",
    "read",
    "starred",
    "recommended",
}
FEED_KEYS = {"id", "url", "title", "folder", "unread", "last_error"}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def run_json(*argv: str) -> list[dict[str, object]]:
    code, text = run(*argv, "--json")
    assert code == 0
    value = json.loads(text)
    assert isinstance(value, list)
    return value


def test_add_refresh_list_show_search_mark_remove(http_server: LoopbackServer) -> None:
    http_server.add("/feed.xml", rss(items=3))
    code, text = run("add", http_server.url("/feed.xml"), "--folder", "News")
    assert code == 0 and "subscribed to Harbour Gazette" in text

    [feed] = run_json("list", "feeds")
    assert feed.keys() >= FEED_KEYS
    assert (feed["title"], feed["folder"], feed["unread"]) == ("Harbour Gazette", "News", 3)

    articles = run_json("list", "articles", "--unread")
    assert len(articles) == 3 and articles[0].keys() >= ARTICLE_KEYS
    assert articles[0]["published"] == "2026-11-20T10:00:00Z"

    code, text = run("show", str(articles[0]["id"]))
    assert code == 0
    assert text.startswith("Story 2\n")
    assert "Full text of story 2." in text and "<p>" not in text

    found = run_json("search", "cables")
    assert {a["id"] for a in found} == {a["id"] for a in articles}

    code, text = run("mark-read", str(articles[0]["id"]))
    assert code == 0 and "marked 1 article read" in text
    assert len(run_json("list", "articles", "--unread")) == 2

    code, text = run("refresh")
    assert code == 0 and "1 not modified" in text

    code, text = run("remove", str(feed["id"]))
    assert code == 0 and run_json("list", "feeds") == []


def test_refresh_summary_names_each_failure_and_exit_code(http_server: LoopbackServer) -> None:
    http_server.add("/good.xml", rss(items=1))
    run("add", http_server.url("/good.xml"))
    http_server.add("/bad.xml", b"<html>moved</html>", content_type="text/html")
    run("import", _write_urls(http_server.url("/bad.xml")))
    code, text = run("refresh")
    assert code == 0
    assert "1 failed" in text and f"failed: {http_server.url('/bad.xml')}: not a feed" in text

    http_server.stop()
    code, text = run("refresh")
    assert code == 1 and "2 failed" in text and "offline" in text


def _write_urls(url: str) -> str:
    path = Path(os.environ["TUIREADER_DATA_DIR"]).parent / "urls"
    path.write_text(f'# my feeds\n{url} "Broken" "~Broken feed"\nnot-a-url\n')
    return str(path)


def test_import_reports_bad_lines_and_keeps_good_ones(tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text(
        'https://example.org/a.xml tech\nnonsense here\nhttps://example.org/b.xml "~B"\n'
    )
    code, text = run("import", str(urls))
    assert code == 0
    assert "imported 2 feeds" in text and "line 2" in text
    titles = {f["url"]: f["title"] for f in run_json("list", "feeds")}
    assert titles["https://example.org/b.xml"] == "B"


def test_export_writes_opml_that_imports_again(tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text("https://example.org/a.xml news\nhttps://example.org/b.xml\n")
    run("import", str(urls))
    code, text = run("export")
    assert code == 0 and text.startswith("<?xml") and 'version="2.0"' in text
    opml = tmp_path / "subs.opml"
    opml.write_text(text)
    code, _ = run("--db", str(tmp_path / "other.db"), "import", str(opml))
    assert code == 0
    code, listing = run("--db", str(tmp_path / "other.db"), "list", "feeds", "--json")
    folders = {f["url"]: f["folder"] for f in json.loads(listing)}
    assert folders == {"https://example.org/a.xml": "news", "https://example.org/b.xml": None}


def test_show_never_prints_control_characters(http_server: LoopbackServer) -> None:
    hostile = rss(items=1, item_title="Evil \x1b]52;c;cGF3bmVk\x07title \x1b[2J[bold]x[/]")
    http_server.add("/feed.xml", hostile)
    run("add", http_server.url("/feed.xml"))
    [article] = run_json("list", "articles")
    code, text = run("show", str(article["id"]))
    assert "\x1b" not in text and "\x07" not in text
    assert "Evil title [bold]x[/]" in text


def test_unknown_feed_and_article_give_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    make_reader().close()  # an empty library
    assert run("show", "42")[0] == 1
    assert run("remove", "https://nowhere.example.org/feed")[0] == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "tuireader: no article with id 42",
        "tuireader: no feed matches 'https://nowhere.example.org/feed'",
    ]


def test_add_a_bad_url_says_why(
    http_server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("add", http_server.url("/nothing-here"))[0] == 1
    assert "404" in capsys.readouterr().err


def test_dirs_honour_the_environment(tmp_path: Path) -> None:
    code, text = run("dirs")
    assert code == 0
    assert str(tmp_path / "config" / "config.toml") in text
    assert str(tmp_path / "data" / "tuireader.db") in text


def test_demo_list_populates_a_throwaway_library() -> None:
    code, text = run("demo", "--list")
    assert code == 0
    assert "The Long Wave" in text and "Signal & Noise" in text
    # the user's own library is untouched: there still is none
    assert not resolve_dirs().database.exists()


def test_console_script_runs_in_a_fresh_process(tmp_path: Path) -> None:
    env = {**os.environ, "TUIREADER_DATA_DIR": str(tmp_path / "d")}
    (tmp_path / "urls").write_text("")
    subprocess.run(
        [sys.executable, "-m", "tuireader", "import", str(tmp_path / "urls")], env=env, check=True
    )
    result = subprocess.run(
        [sys.executable, "-m", "tuireader", "list", "feeds", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(result.stdout) == []


def test_an_old_demo_is_moved_to_recent_weeks(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tuireader.core import make_reader
    from tuireader.store import ArticleQuery

    def newest_demo_date(now: datetime, name: str) -> datetime:
        reader = make_reader(db_path=tmp_path / name, clock=lambda: now)
        reader.load_demo()
        return max(a.published for a in reader.articles(ArticleQuery()) if a.published)

    from tuireader.demo import DEMO_FEEDS, demo_feed_body
    from tuireader.parse import parse_feed

    written = max(
        entry.published
        for feed in DEMO_FEEDS
        for entry in parse_feed(demo_feed_body(feed), url=feed.url).entries
        if entry.published
    )
    before_it = written - timedelta(hours=20)
    assert newest_demo_date(before_it, "early.db") <= before_it  # never in the future
    later = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    moved = newest_demo_date(later, "later.db")
    assert timedelta(0) <= later - moved < timedelta(weeks=1)
    assert (moved - written) % timedelta(weeks=1) == timedelta(0)  # weekdays stay true


def test_history_shows_what_each_refresh_downloaded(http_server: LoopbackServer) -> None:
    http_server.add("/feed.xml", rss(items=2), etag='"a"')
    run("add", http_server.url("/feed.xml"))
    run("refresh")
    records = run_json("history")
    assert len(records) == 1
    assert records[0]["kind"] == "refresh" and records[0]["not_modified"] == 1
    assert isinstance(records[0]["bytes_downloaded"], int) and records[0]["bytes_downloaded"] > 0
    code, text = run("history")
    assert code == 0 and "refresh" in text and "1 feed," in text


def test_a_feed_sent_again_byte_for_byte_is_unchanged_but_saved_nothing(
    http_server: LoopbackServer,
) -> None:
    """Without validators the server sends the whole feed again: the refresh says it is
    unchanged, but history and stats count only 304s as downloads saved."""
    http_server.add("/plain.xml", rss(items=2))  # no ETag, no Last-Modified
    http_server.add("/tagged.xml", rss(items=2, title="Tagged"), etag='"t"')
    run("add", http_server.url("/plain.xml"))
    run("add", http_server.url("/tagged.xml"))
    code, text = run("refresh")
    assert code == 0 and "2 not modified" in text
    assert run_json("history")[0]["not_modified"] == 1
    code, text = run("stats", "--days", "1")
    assert "1 feed answered unchanged (304)" in text


def test_cleanup_follows_the_retention_settings(http_server: LoopbackServer) -> None:
    make_reader().close()  # an empty library
    code, text = run("cleanup")
    assert code == 0 and "retention is off" in text
    config = Path(os.environ["TUIREADER_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("keep_per_feed = 1\n")
    http_server.add("/feed.xml", rss(items=3))
    run("add", http_server.url("/feed.xml"))
    articles = run_json("list", "articles")
    run("mark-read", *(str(a["id"]) for a in articles))
    code, text = run("cleanup", "--vacuum")
    assert code == 0 and "removed 2 articles" in text and "database" in text
    assert len(run_json("list", "articles")) == 1


def test_a_feeds_own_retention_applies_with_config_retention_off(
    http_server: LoopbackServer,
) -> None:
    # Seen in the user trial: "Keep the newest 1" in a feed's settings, and `cleanup` said
    # "retention is off" because config.toml's keep_days and keep_per_feed were 0.
    http_server.add("/feed.xml", rss(items=3))
    run("add", http_server.url("/feed.xml"))
    [feed] = run_json("list", "feeds")
    run("edit", str(feed["id"]), "--keep", "1")
    run("mark-read", "--all")
    code, text = run("cleanup")
    assert code == 0 and "removed 2 articles" in text
    assert len(run_json("list", "articles")) == 1


def test_refresh_applies_a_feeds_own_retention(http_server: LoopbackServer) -> None:
    http_server.add("/feed.xml", rss(items=3))
    run("add", http_server.url("/feed.xml"))
    [feed] = run_json("list", "feeds")
    run("edit", str(feed["id"]), "--keep", "1")
    run("mark-read", "--all")
    code, text = run("refresh")
    assert code == 0 and "retention: removed 2 old articles" in text


def test_piping_into_a_reader_that_stops_early_is_quiet(tmp_path: Path) -> None:
    env = {**os.environ, "TUIREADER_DATA_DIR": str(tmp_path / "d")}
    child = subprocess.Popen(
        [sys.executable, "-m", "tuireader", "demo", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # like `| head` exiting before we write: our writes get EPIPE
    errors = child.stderr.read().decode()
    assert child.wait() == 0
    assert "Traceback" not in errors and "BrokenPipe" not in errors


def test_bad_arguments_are_refused_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_reader().close()  # an empty library
    with pytest.raises(SystemExit):
        run("edit", "1", "--interval", "-5")
    assert "-5 is negative" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run("edit", "1", "--mute", "--unmute")
    assert "not allowed with argument" in capsys.readouterr().err
    assert run("export", "--format", "md")[0] == 1
    assert "--format is for --recommended" in capsys.readouterr().err
    assert run("mark-read", "9999")[0] == 1
    assert "no article with id 9999" in capsys.readouterr().err
    # Seen in the user trial: --db naming a folder said only "disk I/O error".
    assert run("--db", str(tmp_path), "list", "feeds")[0] == 1
    assert f"{tmp_path} is a folder" in capsys.readouterr().err


def test_huge_numbers_are_refused_not_a_traceback(
    http_server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Seen in the user trial: an extra run of zeros gave an OverflowError traceback, and an
    # interval stored that way broke every later `refresh --due`.
    http_server.add("/feed.xml", rss(items=1))
    run("add", http_server.url("/feed.xml"))
    capsys.readouterr()
    for argv in (
        ("list", "articles", "--limit", "99999999999999999999"),
        ("edit", "1", "--interval", "9999999999"),
        ("stats", "--days", "9999999"),
    ):
        with pytest.raises(SystemExit):
            run(*argv)
        assert "too large" in capsys.readouterr().err
    code, text = run("refresh", "--due")
    assert code == 0
    config = Path(os.environ["TUIREADER_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("refresh_interval_minutes = 99999999999\nkeep_downloads_days = 99999999999\n")
    assert run("refresh", "--due")[0] == 0
    assert run("cleanup")[0] == 0
    errors = capsys.readouterr().err
    assert "refresh_interval_minutes must be at most 9,999,999; using the default" in errors
    assert "keep_downloads_days must be at most 36,500; using the default" in errors


def test_refresh_of_one_feed_prefetches_only_its_pages(http_server: LoopbackServer) -> None:
    teaser = (
        '<rss version="2.0"><channel><title>T{n}</title><item><title>t</title>'
        "<link>{link}</link><guid>g</guid><description>Short…</description></item>"
        "</channel></rss>"
    )
    for n in (1, 2):
        http_server.add(f"/f{n}.xml", teaser.format(n=n, link=http_server.url(f"/p{n}")).encode())
        run("add", http_server.url(f"/f{n}.xml"))
    code, text = run("refresh", "--feed", "1", "--full-text")
    assert code == 0
    assert "full text: 0 pages saved for offline reading, 1 failed" in text
    assert f"page failed: {http_server.url('/p1')}: HTTP 404" in text
    assert "/p2" not in http_server.paths_requested()


def test_the_command_starts_through_launch_and_collects_for_commands(tmp_path: Path) -> None:
    """The installed ``tuireader`` and ``python -m tuireader`` both start with the garbage
    collector off (it slows the app's start); every command but the app turns it on."""
    from importlib.metadata import entry_points

    [script] = entry_points(group="console_scripts", name="tuireader")
    assert script.value == "tuireader.launch:run"
    program = (
        "import gc, sys\n"
        f"sys.argv = ['tuireader', '--db', {str(tmp_path / 't.db')!r}, 'list', 'feeds']\n"
        "from tuireader.launch import run\n"
        "run()\n"
        "print('collecting', gc.isenabled())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "collecting True"
