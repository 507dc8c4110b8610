"""What a new user tripped on in the command line (issue 15, points 7 and 3), and kill -9.

Each test runs the real CLI (``tuireader.cli.main`` or a subprocess) on a real SQLite file
fed by the loopback server.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from feedgen import rss
from loopback import LoopbackServer, Request, Response
from tuireader.cli import build_parser, main
from tuireader.core import make_reader
from tuireader.models import FullTextMode
from tuireader.paths import resolve_dirs
from tuireader.store import ArticleQuery, Store


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuireader", *argv], capture_output=True, text=True, env=env
    )


def subparser_help(name: str) -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return str(sub.choices[name].format_help())  # type: ignore[union-attr]


def feeds(server: LoopbackServer, count: int, items: int = 3) -> None:
    for n in range(count):
        path = f"/f{n}.xml"
        server.add(path, rss(f"Feed {n}", items, link=f"https://f{n}.example.org/"))
        assert run("add", server.url(path))[0] == 0


# --- list ---------------------------------------------------------------------------------


def test_list_feeds_honours_limit(http_server: LoopbackServer) -> None:
    feeds(http_server, 3, items=1)
    code, text = run("list", "feeds", "--limit", "2")
    assert code == 0 and len(text.splitlines()) == 2
    assert len(json.loads(run("list", "feeds", "--limit", "2", "--json")[1])) == 2
    assert len(json.loads(run("list", "feeds", "--limit", "0", "--json")[1])) == 3


def test_list_articles_limit_zero_means_all_and_help_says_the_default(
    http_server: LoopbackServer,
) -> None:
    feeds(http_server, 1, items=130)
    assert len(run("list", "articles")[1].splitlines()) == 100
    assert len(run("list", "articles", "--limit", "0")[1].splitlines()) == 130
    assert len(json.loads(run("list", "articles", "--limit", "0", "--json")[1])) == 130
    assert "default 100; 0 for all" in " ".join(subparser_help("list").split())


def test_streamed_json_is_exactly_the_listing(http_server: LoopbackServer) -> None:
    feeds(http_server, 2, items=7)
    reader = make_reader()
    try:
        whole = reader.articles(ArticleQuery(), limit=1000)
        # Read in chunks of 3 from one cursor: the same rows in the same order.
        streamed = list(reader.store.iter_articles(ArticleQuery(), chunk=3))
    finally:
        reader.close()
    assert streamed == whole
    text = run("list", "articles", "--limit", "0", "--json")[1]
    assert [a["id"] for a in json.loads(text)] == [a.id for a in whole]
    assert text.startswith('[\n  {\n    "id": ') and text.endswith("\n  }\n]\n")
    assert run("list", "articles", "--unread", "--feed", "99", "--json")[0] == 1


def test_empty_listing_is_an_empty_json_list(http_server: LoopbackServer) -> None:
    feeds(http_server, 1, items=1)
    run("mark-read", "--all")
    assert run("list", "articles", "--unread", "--json") == (0, "[]\n")


# --- search ---------------------------------------------------------------------------------


def test_search_without_a_match_says_so_and_exits_1(
    http_server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds(http_server, 1)
    assert run("search", "cables")[0] == 0
    code, text = run("search", "zesudado")
    assert (code, text) == (1, "")
    assert capsys.readouterr().err == "tuireader: no article matches 'zesudado'\n"
    assert run("search", "zesudado", "--json") == (1, "[]\n")
    assert "Exits 1" in subparser_help("search")


# --- show -----------------------------------------------------------------------------------

MARKDOWN_BAIT = (
    b'<rss version="2.0"><channel><title>Bait</title><item><title>Links</title>'
    b"<guid>g1</guid><link>https://bait.example.org/1</link>"
    b'<description><![CDATA[<p>See <a href="https://bait.example.org/x">*Cross-posting* '
    b'[notes]</a> and <b>bold</b> and <a href="https://bait.example.org/y">more</a>.</p>'
    b"<ul><li>one</li><li>two <code>x_y</code></li></ul>]]></description>"
    b"</item></channel></rss>"
)


def test_show_prints_plain_text_with_numbered_links(http_server: LoopbackServer) -> None:
    http_server.add("/bait.xml", MARKDOWN_BAIT)
    run("add", http_server.url("/bait.xml"))
    [article] = json.loads(run("list", "articles", "--json")[1])
    code, text = run("show", str(article["id"]), "--no-fetch")
    assert code == 0
    assert "See *Cross-posting* [notes][1] and bold and more[2]." in text
    assert "- one\n- two x_y\n" in text
    assert text.endswith("[1] https://bait.example.org/x\n[2] https://bait.example.org/y\n")
    assert "\\" not in text and "](" not in text and "**" not in text


# --- add, import, plurals -----------------------------------------------------------------


def test_add_a_malformed_address_says_what_the_app_says(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tuireader.core import not_a_web_address  # the app's Add dialog words it so too

    assert run("add", "htp:/bad")[0] == 1
    assert capsys.readouterr().err == f"tuireader: {not_a_web_address('htp:/bad')}\n"
    assert not resolve_dirs().database.exists()  # and a typo started no library


def test_plurals_and_reimporting_says_nothing_new(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    http_server.add("/one.xml", rss(items=1))
    code, text = run("add", http_server.url("/one.xml"))
    assert "(id 1, 1 article)" in text
    urls = tmp_path / "urls"
    urls.write_text(http_server.url("/two.xml") + "\n")
    code, text = run("import", str(urls))
    assert (code, text) == (0, "imported 1 feed; run `tuireader refresh` to fetch them\n")
    code, text = run("import", str(urls))
    assert code == 0
    assert text == "nothing new: every feed in the file is already subscribed\n"
    assert "refresh" not in text


def test_history_kind_in_json_matches_the_text(http_server: LoopbackServer) -> None:
    feeds(http_server, 1, items=1)
    run("refresh")
    [record] = json.loads(run("history", "--json")[1])
    code, text = run("history")
    assert record["kind"] == "refresh" and f" {record['kind']} " in text
    assert "1 feed," in text and "1 feeds" not in text


# --- read commands never create a library ---------------------------------------------------


def test_read_commands_do_not_create_a_library(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    for argv in (["list", "feeds"], ["search", "x"], ["history"], ["show", "1"], ["searches"]):
        result = cli("--db", str(missing), *argv)
        assert result.returncode == 1, argv
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and f"no library at {missing}" in result.stderr
    assert not (tmp_path / "nonexistent").exists()
    assert run("refresh")[0] == 1 and not resolve_dirs().database.exists()


# --- saved searches -------------------------------------------------------------------------


def test_saved_searches_are_listed_renamed_and_removed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Store(resolve_dirs().database) as store:
        store.save_search("harbour cables")
        store.save_search("go")
    assert run("searches") == (
        0,
        "2 saved searches:\n  harbour cables  (0 unread)\n  go  (0 unread)\n",
    )
    assert run("searches", "rename", "go", "Go news")[0] == 0
    assert run("searches") == (
        0,
        "2 saved searches:\n  harbour cables  (0 unread)\n  Go news: go  (0 unread)\n",
    )
    assert run("searches", "rename", "harbour cables", "Go news")[0] == 1
    assert "already named 'Go news'" in capsys.readouterr().err
    assert run("searches", "remove", "harbour cables")[0] == 0
    assert run("searches") == (0, "1 saved search:\n  Go news: go  (0 unread)\n")
    assert run("searches", "remove", "nope")[0] == 1
    assert capsys.readouterr().err.endswith("no saved search named 'nope'\n")
    with Store(resolve_dirs().database) as store:
        assert store.saved_searches() == ["go"]


# --- kill -9 ----------------------------------------------------------------------------------


def test_a_refresh_killed_with_kill_9_is_in_the_history(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """Three feeds complete, the fourth hangs; kill -9; history shows the three and bytes."""
    db = tmp_path / "kill.db"
    stuck = threading.Event()
    with Store(db) as store:
        for n in range(3):
            http_server.add(f"/f{n}.xml", rss(f"Feed {n}", 5, link=f"https://f{n}.example.org/"))
            store.add_feed(http_server.url(f"/f{n}.xml"))
        store.add_feed(http_server.url("/stuck.xml"))

    def hang(request: Request) -> Response:
        stuck.set()
        request.wait(60)
        return Response(b"")

    http_server.add_handler("/stuck.xml", hang)
    process = subprocess.Popen(
        [sys.executable, "-m", "tuireader", "--db", str(db), "refresh"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert stuck.wait(60), "the refresh never asked for the stuck feed"
        row = wait_for_row(db, lambda r: r is not None and r[0] == 3)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db)
    fetched = conn.execute("SELECT sum(bytes_downloaded) FROM feeds").fetchone()[0]
    conn.close()
    assert fetched > 0 and row[1] == fetched
    [record] = json.loads(cli("--db", str(db), "history", "--json").stdout)
    assert record["kind"] == "refresh" and record["finished_at"] is None
    assert (record["feeds"], record["updated"], record["new_articles"]) == (3, 3, 15)
    assert record["bytes_downloaded"] == fetched
    assert "(did not finish)" in cli("--db", str(db), "history").stdout


def wait_for_row(
    db: Path,
    done: Callable[[tuple[int, int] | None], bool],
    timeout: float = 60.0,
    kind: str = "feeds",
) -> tuple[int, int]:
    """The refresh log row (feeds, bytes) once ``done(row)``: polled, since the refresh
    runs in another process and tells nobody when it has written it."""
    deadline = time.monotonic() + timeout
    while True:
        conn = sqlite3.connect(db)
        try:
            row = conn.execute(
                "SELECT feeds, bytes_downloaded FROM refreshes WHERE kind = ?", (kind,)
            ).fetchone()
        finally:
            conn.close()
        if done(row):
            return (int(row[0]), int(row[1]))
        assert time.monotonic() < deadline, f"the {kind} log row never got there: {row}"
        time.sleep(0.05)


def test_a_prefetch_killed_with_kill_9_is_in_the_history(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """`refresh --full-text`: two pages saved, the third hangs; kill -9; both rows remain."""
    from test_fulltext import article_page

    db = tmp_path / "kill.db"
    stuck = threading.Event()
    http_server.add("/feed.xml", rss("Pages", 3, link=http_server.url("/")))
    for n in (1, 2):  # newest first: story 2, then 1, then the stuck story 0
        http_server.add(f"/story/{n}", article_page(f"Story {n}"), content_type="text/html")

    def hang(request: Request) -> Response:
        stuck.set()
        request.wait(60)
        return Response(b"")

    http_server.add_handler("/story/0", hang)
    with Store(db) as store:
        feed = store.add_feed(http_server.url("/feed.xml"))
        store.update_feed(feed.id, full_text=FullTextMode.ALWAYS)
    process = subprocess.Popen(
        [sys.executable, "-m", "tuireader", "--db", str(db), "refresh", "--full-text"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert stuck.wait(60), "the prefetch never asked for the stuck page"
        wait_for_row(db, lambda r: r is not None and r[0] == 2, kind="full_text")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    conn = sqlite3.connect(db)
    pages = conn.execute("SELECT count(*), sum(bytes_downloaded) FROM full_texts").fetchone()
    conn.close()
    prefetch, refresh = json.loads(cli("--db", str(db), "history", "--json").stdout)
    assert refresh["kind"] == "refresh" and refresh["finished_at"] is not None
    assert prefetch["kind"] == "prefetch" and prefetch["finished_at"] is None
    assert (prefetch["feeds"], prefetch["updated"]) == (2, 2) == (pages[0], 2)
    assert prefetch["bytes_downloaded"] == pages[1] > 0
