"""Sync end to end against a real FreshRSS on 127.0.0.1 (Google Reader API and Fever).

FreshRSS fetches the tests' own feeds from the loopback server; tuireader's CLI syncs
with it; the server's side is checked in its own database.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from feedgen import rss
from freshrss import API_PASSWORD, FreshRSS, opml
from loopback import LoopbackServer
from tuireader.cli import main

HELPERS = Path(__file__).parent / "helpers"


@dataclass
class Cli:
    db: Path
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def __call__(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--db", str(self.db), *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *args: str) -> tuple[int, dict[str, object]]:
        code, out, _ = self(*args, "--json") if args[-1:] != ("--json",) else self(*args)
        return code, json.loads(out)

    def sql(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(statement, params).fetchall()


@pytest.fixture
def server(shared_dir: Path, tmp_path: Path) -> Iterator[FreshRSS]:
    fr = FreshRSS(shared_dir, tmp_path / "freshrss")
    try:
        yield fr
    finally:
        fr.stop()


@pytest.fixture
def feeds(http_server: LoopbackServer, server: FreshRSS, tmp_path: Path) -> LoopbackServer:
    """Alpha (3 stories, folder News) and Beta (2, Tech), fetched by FreshRSS."""
    http_server.add("/alpha.xml", rss("Alpha", 3, link="https://alpha.example/"))
    http_server.add("/beta.xml", rss("Beta", 2, link="https://beta.example/"))
    subs = tmp_path / "subs.opml"
    subs.write_bytes(
        opml(
            [
                ("Alpha", http_server.url("/alpha.xml"), "News"),
                ("Beta", http_server.url("/beta.xml"), "Tech"),
            ]
        )
    )
    server.import_opml(subs)
    assert "5 new articles" in server.actualize()
    return http_server


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(tmp_path / "tuireader.db", capsys, monkeypatch)


def add_greader(cli: Cli, server: FreshRSS) -> None:
    code, out, err = cli(
        "sync",
        "add",
        "greader",
        server.greader_url,
        "--user",
        "alice",
        "--password-stdin",
        stdin=API_PASSWORD + "\n",
    )
    assert code == 0, err
    assert API_PASSWORD not in out + err


def article_id(cli: Cli, feed: str, title: str) -> int:
    rows = cli.sql(
        "SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id "
        "WHERE coalesce(f.user_title, f.title) = ? AND a.title = ?",
        feed,
        title,
    )
    assert len(rows) == 1, rows
    return int(rows[0][0])  # type: ignore[call-overload]


def server_state(server: FreshRSS, cli: Cli, article: int) -> tuple[int, int]:
    (remote,) = cli.sql("SELECT remote_id FROM sync_items WHERE article_id = ?", article)[0]
    out = server.sql(f"SELECT is_read, is_favorite FROM entry WHERE id = {int(str(remote))}")
    read, favourite = out.strip().split("|")
    return int(read), int(favourite)


def local_state(cli: Cli, article: int) -> tuple[int, int]:
    row = cli.sql("SELECT read, starred FROM articles WHERE id = ?", article)[0]
    return int(row[0]), int(row[1])  # type: ignore[call-overload]


def test_first_then_incremental_sync(server: FreshRSS, feeds: LoopbackServer, cli: Cli) -> None:
    add_greader(cli, server)
    code, summary = cli.json("sync")
    assert code == 0 and summary["error"] is None
    assert summary["new_articles"] == 5
    assert summary["feeds"] == {"added": 2, "removed": 0, "changed": 0}
    listed = cli.sql("SELECT title, folder FROM feeds ORDER BY title")
    assert listed == [("Alpha", "News"), ("Beta", "Tech")]
    assert cli.sql("SELECT count(*) FROM articles")[0][0] == 5
    # Full text, search and the rest work on synced articles as on fetched ones.
    code, out, _ = cli("search", "cables")
    assert code == 0 and "Story" in out

    # New stories on the feed: FreshRSS fetches them, the next sync brings only them.
    feeds.add("/alpha.xml", rss("Alpha", 5, link="https://alpha.example/"))
    assert "2 new articles" in server.actualize()
    code, summary = cli.json("sync")
    assert code == 0 and summary["new_articles"] == 2
    assert cli.sql("SELECT count(*) FROM articles")[0][0] == 7

    # Nothing new: a handful of small requests, nothing stored.
    code, summary = cli.json("sync")
    assert code == 0 and summary["new_articles"] == 0 and summary["state_changes"] == 0
    assert isinstance(summary["requests"], int) and summary["requests"] < 10
    code, status = cli.json("sync", "status")
    assert status["kind"] == "greader" and status["queued"] == 0 and status["last_sync"]
    assert status["user"] == "alice" and status["last_error"] is None


def test_state_goes_both_ways(server: FreshRSS, feeds: LoopbackServer, cli: Cli) -> None:
    add_greader(cli, server)
    assert cli("sync")[0] == 0
    a0, a1, a2 = (article_id(cli, "Alpha", f"Story {n}") for n in range(3))
    b0, b1 = (article_id(cli, "Beta", f"Story {n}") for n in range(2))

    # Local to server: read, star, a whole feed read, and an undo (unread again).
    assert cli("mark-read", str(a0))[0] == 0
    assert cli("star", str(a1))[0] == 0
    assert cli("mark-read", "--feed", "Beta")[0] == 0
    assert cli("mark-read", "--unread", str(b1))[0] == 0  # undo of one of them
    code, status = cli.json("sync", "status")
    assert status["queued"] == 5  # read a0, star a1, read b0, read b1, unread b1
    code, summary = cli.json("sync")
    assert code == 0 and summary["queued"] == 0
    assert server_state(server, cli, a0) == (1, 0)
    assert server_state(server, cli, a1) == (0, 1)
    assert server_state(server, cli, b0) == (1, 0)
    assert server_state(server, cli, b1) == (0, 0)

    # Server to local: read on the phone, starred there, a1 unstarred there.
    for article, change in ((a2, "is_read = 1"), (b1, "is_favorite = 1"), (a1, "is_favorite = 0")):
        (remote,) = cli.sql("SELECT remote_id FROM sync_items WHERE article_id = ?", article)[0]
        server.sql(f"UPDATE entry SET {change} WHERE id = {int(str(remote))}")
    code, summary = cli.json("sync")
    assert code == 0 and summary["state_changes"] == 3
    assert local_state(cli, a2) == (1, 0)
    assert local_state(cli, b1) == (0, 1)
    assert local_state(cli, a1) == (0, 0)


def test_conflict_a_queued_local_change_wins(
    server: FreshRSS, feeds: LoopbackServer, cli: Cli
) -> None:
    """The rule: a change still queued wins over what the server said before it was pushed."""
    add_greader(cli, server)
    assert cli("sync")[0] == 0
    a0 = article_id(cli, "Alpha", "Story 0")
    (remote,) = cli.sql("SELECT remote_id FROM sync_items WHERE article_id = ?", a0)[0]
    assert cli("mark-read", str(a0))[0] == 0  # offline: queued
    server.sql(f"UPDATE entry SET is_favorite = 1, is_read = 0 WHERE id = {int(str(remote))}")
    assert cli("sync")[0] == 0
    # Read: ours (queued) won on both sides; starred: nobody here touched it, the server's.
    assert local_state(cli, a0) == (1, 1)
    assert server_state(server, cli, a0) == (1, 1)


def test_subscriptions_change_on_the_server(
    server: FreshRSS, feeds: LoopbackServer, cli: Cli
) -> None:
    add_greader(cli, server)
    assert cli("sync")[0] == 0
    feeds.add("/gamma.xml", rss("Gamma", 2, link="https://gamma.example/"))
    code, out, err = cli("add", feeds.url("/gamma.xml"), "--folder", "News")
    assert code == 0, err
    assert cli.sql("SELECT folder FROM feeds WHERE title = 'Gamma'") == [("News",)]
    assert "Gamma" in server.sql("SELECT name FROM feed")

    code, out, err = cli("edit", "Gamma", "--title", "Gamma Weekly", "--folder", "Tech")
    assert code == 0, err
    assert "Gamma Weekly" in server.sql("SELECT name FROM feed")
    assert cli("sync")[0] == 0
    assert cli.sql(
        "SELECT coalesce(user_title, title), folder FROM feeds WHERE url LIKE ?", "%gamma.xml"
    ) == [("Gamma Weekly", "Tech")]

    code, out, err = cli("remove", "Gamma Weekly")
    assert code == 0, err
    assert "Gamma" not in server.sql("SELECT name FROM feed")
    assert cli("sync")[0] == 0
    assert cli.sql("SELECT count(*) FROM feeds")[0][0] == 2

    # Removed on the server (its web page): the next sync removes it here too.
    server.sql("DELETE FROM entry WHERE id_feed = (SELECT id FROM feed WHERE name = 'Beta')")
    server.sql("DELETE FROM feed WHERE name = 'Beta'")
    code, summary = cli.json("sync")
    assert summary["feeds"] == {"added": 0, "removed": 1, "changed": 0}
    assert cli.sql("SELECT title FROM feeds") == [("Alpha",)]


def test_queue_survives_a_stopped_server(server: FreshRSS, feeds: LoopbackServer, cli: Cli) -> None:
    add_greader(cli, server)
    assert cli("sync")[0] == 0
    a0 = article_id(cli, "Alpha", "Story 0")
    server.stop()
    assert cli("mark-read", str(a0))[0] == 0
    assert cli("star", str(a0))[0] == 0
    code, out, err = cli("sync")
    assert code == 1
    assert err.count("\n") == 1 and "cannot reach 127.0.0.1" in err and "2 changes kept" in err
    code, status = cli.json("sync", "status")
    assert status["queued"] == 2 and "cannot reach" in str(status["last_error"])
    # refresh syncs too, and fails the same way without losing anything.
    code, out, err = cli("refresh")
    assert code == 1 and "2 changes kept" in err
    server.start()
    code, summary = cli.json("sync")
    assert code == 0 and summary["pushed"] == 2 and summary["queued"] == 0
    assert server_state(server, cli, a0) == (1, 1)
    code, status = cli.json("sync", "status")
    assert status["last_error"] is None


def run_killed(cli: Cli, needle: str, nth: int, *args: str) -> int:
    done = subprocess.run(
        [
            sys.executable,
            str(HELPERS / "kill_at_sql.py"),
            needle,
            str(nth),
            "--db",
            str(cli.db),
            *args,
        ],
        capture_output=True,
        env={**os.environ},
        check=False,
    )
    return done.returncode


def test_kill_9_mid_sync_loses_nothing_and_applies_nothing_twice(
    server: FreshRSS, feeds: LoopbackServer, cli: Cli
) -> None:
    add_greader(cli, server)
    # Killed while storing the first pull: the next sync finishes it without duplicates.
    assert run_killed(cli, "INSERT INTO articles", 3, "sync") == -9
    assert cli("sync")[0] == 0
    assert cli.sql("SELECT count(*) FROM articles")[0][0] == 5
    assert cli.sql("SELECT count(DISTINCT remote_id), count(*) FROM sync_items") == [(5, 5)]

    # Killed after the server took the queue, before we forgot it: sent again, no harm.
    a0, a1 = article_id(cli, "Alpha", "Story 0"), article_id(cli, "Alpha", "Story 1")
    assert cli("mark-read", str(a0))[0] == 0
    assert cli("star", str(a1))[0] == 0
    assert cli("mark-read", "--unread", str(a0))[0] == 0
    assert cli("mark-read", str(a0))[0] == 0
    assert run_killed(cli, "DELETE FROM sync_queue", 1, "sync") == -9
    assert cli.sql("SELECT count(*) FROM sync_queue")[0][0] == 4
    assert server_state(server, cli, a0) == (1, 0)  # the server had it already
    code, summary = cli.json("sync")
    assert code == 0 and summary["queued"] == 0
    assert server_state(server, cli, a0) == (1, 0)
    assert server_state(server, cli, a1) == (0, 1)
    assert local_state(cli, a0) == (1, 0) and local_state(cli, a1) == (0, 1)
    assert server.sql("SELECT count(*) FROM entry").strip() == "5"


def test_a_change_for_an_article_the_server_dropped_is_dropped_with_a_note(
    server: FreshRSS, feeds: LoopbackServer, cli: Cli
) -> None:
    add_greader(cli, server)
    assert cli("sync")[0] == 0
    a0 = article_id(cli, "Alpha", "Story 0")
    (remote,) = cli.sql("SELECT remote_id FROM sync_items WHERE article_id = ?", a0)[0]
    server.sql(f"DELETE FROM entry WHERE id = {int(str(remote))}")
    assert cli("star", str(a0))[0] == 0
    code, out, err = cli("sync")
    assert code == 0
    assert "note: dropped 1 change for articles the server no longer has" in out
    code, status = cli.json("sync", "status")
    assert status["queued"] == 0
    assert local_state(cli, a0)[1] == 1  # the article and its star stay here


def test_wrong_password_is_one_line_and_saves_nothing(
    server: FreshRSS, feeds: LoopbackServer, cli: Cli
) -> None:
    code, out, err = cli(
        "sync",
        "add",
        "greader",
        server.greader_url,
        "--user",
        "alice",
        "--password-stdin",
        stdin="not-the-password\n",
    )
    assert code == 1 and err.count("\n") == 1 and "refused the user name or password" in err
    assert "not-the-password" not in out + err
    assert cli.json("sync", "status")[1]["kind"] is None

    # A password that changed on the server later: sync fails in one line, queue kept.
    add_greader(cli, server)
    assert cli("sync")[0] == 0
    changed = server.cli("update-user.php", "--user", "alice", "--api-password", "changed-password")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    # php -S caches the user's config (opcache, revalidated every 2 s): restart it to be sure.
    server.stop()
    server.start()
    assert cli("star", str(article_id(cli, "Beta", "Story 0")))[0] == 0
    code, out, err = cli("sync")
    assert code == 1 and "refused the user name or password" in err and "1 change kept" in err
    assert API_PASSWORD not in out + err


def test_secrets_stay_out_of_config_status_and_json(
    server: FreshRSS, feeds: LoopbackServer, cli: Cli, tmp_path: Path
) -> None:
    add_greader(cli, server)
    secret = cli.db.with_name(cli.db.name + ".sync-password")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert secret.read_text() == API_PASSWORD
    outputs = [
        cli("sync", "status")[1],
        cli("sync", "--json")[1],
        cli("sync", "status", "--json")[1],
    ]
    config_dir = tmp_path / "config"
    stored = [p.read_bytes() for p in config_dir.rglob("*") if p.is_file()]
    stored.append(cli.db.read_bytes())
    assert not any(API_PASSWORD in text for text in outputs)
    assert not any(API_PASSWORD.encode() in blob for blob in stored)

    # A password command is stored as the command and run each sync.
    script = tmp_path / "pass.sh"
    script.write_text(f"#!/bin/sh\necho {API_PASSWORD}\n")
    script.chmod(0o700)
    code, out, err = cli(
        "sync",
        "add",
        "greader",
        server.greader_url,
        "--user",
        "alice",
        "--password-command",
        str(script),
    )
    assert code == 0, err
    assert not secret.exists()
    assert cli.sql("SELECT password_command FROM sync_account") == [(str(script),)]
    assert cli("sync")[0] == 0

    code, out, err = cli("sync", "remove")
    assert code == 0 and "keeps every article" in out
    assert cli.sql("SELECT count(*) FROM articles")[0][0] == 5
    assert cli.json("sync", "status")[1]["kind"] is None


def test_plain_http_is_refused_beyond_loopback(cli: Cli) -> None:
    code, out, err = cli(
        "sync",
        "add",
        "greader",
        "http://reader.example.org/api/greader.php",
        "--user",
        "a",
        "--password-stdin",
        stdin="pw\n",
    )
    assert code == 1 and "refusing plain http://" in err and "--insecure-http" in err


def test_fever_against_the_same_instance(server: FreshRSS, feeds: LoopbackServer, cli: Cli) -> None:
    code, out, err = cli(
        "sync",
        "add",
        "fever",
        server.fever_url,
        "--user",
        "alice",
        "--password-stdin",
        stdin=API_PASSWORD + "\n",
    )
    assert code == 0, err
    code, summary = cli.json("sync")
    assert code == 0 and summary["new_articles"] == 5
    assert cli.sql("SELECT title, folder FROM feeds ORDER BY title") == [
        ("Alpha", "News"),
        ("Beta", "Tech"),
    ]
    a0, b0 = article_id(cli, "Alpha", "Story 0"), article_id(cli, "Beta", "Story 0")
    assert cli("mark-read", str(a0))[0] == 0
    assert cli("star", str(b0))[0] == 0
    assert cli("sync")[0] == 0
    assert server_state(server, cli, a0) == (1, 0)
    assert server_state(server, cli, b0) == (0, 1)
    (remote,) = cli.sql("SELECT remote_id FROM sync_items WHERE article_id = ?", b0)[0]
    server.sql(f"UPDATE entry SET is_read = 1 WHERE id = {int(str(remote))}")
    assert cli("sync")[0] == 0
    assert local_state(cli, b0) == (1, 1)

    feeds.add("/alpha.xml", rss("Alpha", 4, link="https://alpha.example/"))
    server.actualize()
    code, summary = cli.json("sync")
    assert summary["new_articles"] == 1

    code, out, err = cli("add", feeds.url("/gamma.xml"))
    assert code == 1 and err.count("\n") == 1 and "Fever API cannot subscribe" in err
