"""Faults: kill -9 mid-refresh, a full disk, a read-only folder, a file that is not ours.

Each test works on a real SQLite file and checks it afterwards with a fresh connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedgen import rss
from helpers.dbcheck import Snapshot, connect, consistency_problems, snapshot
from loopback import LoopbackServer, Request, Response
from tuireader.cli import build_parser, main, open_reader
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery, Store, StoreError, StoreReadOnlyError

IS_ROOT = os.geteuid() == 0
KILL_FEEDS = 16
KILL_AT_STATEMENT = Path(__file__).parent / "helpers" / "kill_at_statement.py"
#: Rounds of kill -9; TUIREADER_KILL_ROUNDS=200 for a longer soak.
KILL_ROUNDS = int(os.environ.get("TUIREADER_KILL_ROUNDS", "40"))
NEW_PER_ROUND = 3
ITEMS_PER_DOC = 8


def cli(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tuireader", "--db", str(db), *args]


# --- kill -9 ---------------------------------------------------------------------------------


class KillSwitch:
    """Serves the feeds of the current round and kills the refresh after the Nth request.

    The kill comes from a timer started when the server has been asked for its Nth feed,
    after a random few milliseconds: the refresh is then somewhere among downloading,
    parsing in worker processes and committing the feeds before the Nth.
    """

    def __init__(self, server: LoopbackServer, rng: random.Random) -> None:
        self.rng = rng
        self.round = 0
        self.kill_after = 0
        self.served = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.timers: list[threading.Timer] = []
        for k in range(KILL_FEEDS):
            server.add_handler(f"/feed/{k}.xml", self._handler(k))

    def _handler(self, k: int) -> Callable[[Request], Response]:
        def handler(_request: Request) -> Response:
            with self.lock:
                self.served += 1
                if self.served == self.kill_after:
                    timer = threading.Timer(self.rng.uniform(0, 0.03), self._kill)
                    self.timers.append(timer)
                    timer.start()
                start = self.round * NEW_PER_ROUND
            body = rss(f"Feed {k}", ITEMS_PER_DOC, start=start, link=f"https://f{k}.example.org/")
            return Response(body, headers={"Content-Type": "application/rss+xml"})

        return handler

    def _kill(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            # The refresh and the parse workers it started are one process group.
            os.killpg(process.pid, signal.SIGKILL)

    def run_round(self, db: Path) -> int:
        """One refresh, killed on odd rounds at a random SQL statement, on even rounds by the
        server's timer (both sometimes too late: the refresh then finishes)."""
        with self.lock:
            self.round += 1
            self.served = 0
            by_statement = self.round % 2 == 1
            self.kill_after = 0 if by_statement else self.rng.randint(1, KILL_FEEDS + 2)
        if by_statement:
            self.kill_after = self.rng.randint(1, 260)
            argv = [sys.executable, str(KILL_AT_STATEMENT), str(self.kill_after)]
            argv += ["--db", str(db), "refresh"]
        else:
            argv = cli(db, "refresh")
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        code = self.process.wait(timeout=60)
        for timer in self.timers:
            timer.join()
        self.timers.clear()
        # Parse workers it left behind hold stderr open: end them before reading it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        assert self.process.stderr is not None
        err = self.process.stderr.read()
        self.process.stderr.close()
        assert code in (0, -signal.SIGKILL), err.decode()
        return code


def keys_of_round(round_no: int, k: int) -> set[str]:
    start = round_no * NEW_PER_ROUND
    return {f"g:https://f{k}.example.org/story/{n}" for n in range(start, start + ITEMS_PER_DOC)}


def change_some_state(db: Path, rng: random.Random) -> None:
    with Store(db) as store:
        ids = store.article_ids(ArticleQuery())
        for article_id in rng.sample(ids, min(6, len(ids))):
            action = rng.choice(("read", "unread", "star", "unstar", "recommend"))
            if action in ("read", "unread"):
                store.set_read([article_id], action == "read")
            elif action in ("star", "unstar"):
                store.set_starred(article_id, action == "star")
            else:
                store.set_recommended(article_id, True)


def test_kill_9_during_refresh_loses_nothing_committed(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    db = tmp_path / "kill.db"
    with Store(db) as store:
        feeds = [store.add_feed(http_server.url(f"/feed/{k}.xml")) for k in range(KILL_FEEDS)]
    urls = {feed.url: k for k, feed in enumerate(feeds)}
    switch = KillSwitch(http_server, rng)
    kills = 0
    for _ in range(KILL_ROUNDS):
        change_some_state(db, rng)
        before: Snapshot = snapshot(db)
        if switch.run_round(db) != 0:
            kills += 1
        how = "statement" if switch.round % 2 else "request"
        where = f"(seed {seed}, round {switch.round}, kill at {how} {switch.kill_after})"
        assert consistency_problems(db) == [], where
        after = snapshot(db)
        lost = {key: state for key, state in before.items() if after.get(key) != state}
        assert lost == {}, f"articles or their state lost {where}"
        for url, k in urls.items():
            # Each feed is one transaction: all of its new articles arrived, or none did.
            new = {key for (u, key) in after if u == url} - {key for (u, key) in before if u == url}
            expected = keys_of_round(switch.round, k) - {key for (u, key) in before if u == url}
            assert new in (set(), expected), f"feed {k} half stored {where}"
    assert kills >= KILL_ROUNDS // 2, f"only {kills} of {KILL_ROUNDS} refreshes were killed"


# --- disk full -------------------------------------------------------------------------------

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def big_feed(n: int, *, articles: int = 10, size: int = 20_000) -> ParsedFeed:
    """Articles with incompressible bodies, so the file must grow to hold them."""
    rng = random.Random(n)
    entries = tuple(
        ParsedEntry(
            title=f"Story {n}.{i}",
            guid=f"guid-{n}-{i}",
            link=f"https://example.org/{n}/{i}",
            published=T0,
            content_html="<p>" + rng.randbytes(size // 2).hex() + "</p>",
        )
        for i in range(articles)
    )
    return ParsedFeed(title=f"Feed {n}", entries=entries)


def store_big(store: Store, feed_id: int, n: int) -> None:
    store.store_feed(
        feed_id, big_feed(n), body_hash=str(n), etag=None, last_modified=None, bytes_downloaded=1
    )


def test_page_limit_gives_a_genuine_disk_full_error_and_keeps_everything(tmp_path: Path) -> None:
    """SQLite's max_page_count stops the file growing: a real SQLITE_FULL, no root needed."""
    db = tmp_path / "full.db"
    with Store(db) as store:
        feed = store.add_feed("https://example.org/feed")
        store_big(store, feed.id, 1)
        store.set_starred(store.article_ids(ArticleQuery())[0], True)
        before = snapshot(db)
        pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
        store.db.conn.execute(f"PRAGMA max_page_count = {pages + 4}")
        with pytest.raises(StoreError, match="the disk is full") as caught:
            store_big(store, feed.id, 2)
        assert "\n" not in str(caught.value)
        # The store stays usable: reads work, small writes still fit.
        assert len(store.article_ids(ArticleQuery())) == 10
        store.set_read(store.article_ids(ArticleQuery())[:2])
        store.db.conn.execute(f"PRAGMA max_page_count = {pages * 100}")
        store_big(store, feed.id, 2)
    assert consistency_problems(db) == []
    after = snapshot(db)
    assert set(before) <= set(after) and len(after) == 20
    assert sum(state[1] for state in after.values()) == 1  # the star survived


def test_full_disk_gives_a_clear_error_and_keeps_everything(small_tmpfs: Path) -> None:
    db = small_tmpfs / "tuireader.db"
    stored = 0
    with Store(db) as store:
        feed = store.add_feed("https://example.org/feed")
        with pytest.raises(StoreError) as caught:
            for n in range(1, 200):
                store_big(store, feed.id, n)
                stored += 1
        assert "the disk is full" in str(caught.value)
        assert "\n" not in str(caught.value)
        assert stored >= 1
        assert store.count_articles(ArticleQuery()) == stored * 10
    subprocess.run(["mount", "-o", "remount,size=8m", str(small_tmpfs)], check=True)
    assert consistency_problems(db) == []
    with Store(db) as store:
        assert store.count_articles(ArticleQuery()) == stored * 10
        store_big(store, feed.id, 500)  # with room again, writing just works
        assert store.count_articles(ArticleQuery()) == (stored + 1) * 10


def test_opening_on_a_full_disk_says_the_disk_is_full(small_tmpfs: Path) -> None:
    # Seen in the user trial: the app would not start, saying only "database error in
    # .../tuireader.db: disk I/O error" (SQLite could not create the -wal/-shm files).
    db = small_tmpfs / "tuireader.db"
    with Store(db) as store:
        store.add_feed("https://example.org/feed")
    with contextlib.suppress(OSError), (small_tmpfs / "filler").open("wb") as filler:
        while True:
            filler.write(b"\0" * 4096)
            filler.flush()
    with pytest.raises(StoreError) as caught:
        Store(db).close()
    assert "the disk is full" in str(caught.value), caught.value
    # Reading still works (the trial: list, show and search all refused to run).
    with Store(db, read_only=True) as store:
        assert [f.url for f in store.list_feeds()] == ["https://example.org/feed"]
    out = io.StringIO()
    assert main(["--db", str(db), "list", "feeds", "--json"], out=out) == 0
    assert [f["url"] for f in json.loads(out.getvalue())] == ["https://example.org/feed"]
    # The app opens for reading too, says why at start, and every change it refuses says so.
    reader = open_reader(build_parser().parse_args(["--db", str(db)]))
    try:
        [problem] = reader.config_problems
        assert "the disk is full, so the library is open for reading only" in problem
        assert [f.url for f in reader.store.list_feeds()] == ["https://example.org/feed"]
        with pytest.raises(StoreReadOnlyError, match="the disk is full"):
            reader.store.add_feed("https://example.org/other")
    finally:
        reader.close()
    (small_tmpfs / "filler").unlink()
    with Store(db) as store:  # room again: everything is still there
        assert [f.url for f in store.list_feeds()] == ["https://example.org/feed"]


# --- read-only folder ------------------------------------------------------------------------


class ReadOnlyFolder:
    """A folder to fill, then make read-only in a way that binds root too.

    As root, chmod stops nothing, so the folder is a tmpfs of its own, remounted read-only;
    otherwise chmod does it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mounted = False
        path.mkdir()
        if IS_ROOT:
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(path)],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                pytest.skip(f"as root only a read-only mount stops writes: {done.stderr.strip()}")
            self.mounted = True

    def lock(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)
        else:
            for child in self.path.iterdir():
                child.chmod(0o444)
            self.path.chmod(0o555)

    def release(self) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.path)], check=False)
        else:
            self.path.chmod(0o755)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[ReadOnlyFolder]:
    folder = ReadOnlyFolder(tmp_path / "ro")
    try:
        yield folder
    finally:
        folder.release()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_folder_is_said_clearly_and_still_readable(
    read_only_folder: ReadOnlyFolder,
) -> None:
    db = read_only_folder.path / "tuireader.db"
    with Store(db) as store:
        feed = store.add_feed("https://example.org/feed")
        store_big(store, feed.id, 1)
    read_only_folder.lock()
    digest = file_digest(db)
    with pytest.raises(StoreReadOnlyError, match="read-only") as caught:
        Store(db)
    assert "\n" not in str(caught.value)
    with Store(db, read_only=True) as store:
        assert store.count_articles(ArticleQuery()) == 10
        with pytest.raises(StoreReadOnlyError):
            store.set_read(store.article_ids(ArticleQuery()))
    # The CLI reads from it, and says in one line why it cannot write.
    listed = subprocess.run(cli(db, "list", "articles"), capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert "Story 1.0" in listed.stdout
    marked = subprocess.run(cli(db, "mark-read", "--all"), capture_output=True, text=True)
    assert marked.returncode == 1
    assert marked.stderr.strip().count("\n") == 0 and "read-only" in marked.stderr
    assert file_digest(db) == digest


# --- not a tuireader database ----------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(b"my precious notes, not SQLite\n" * 200)
    digest = file_digest(db)
    with pytest.raises(StoreError, match="damaged or not a tuireader database"):
        Store(db)
    assert file_digest(db) == digest


def test_a_foreign_sqlite_file_is_not_taken_over_silently(tmp_path: Path) -> None:
    """A SQLite file of another program at schema 0 would be migrated; one with tables whose
    names clash makes the upgrade fail, and it is left as it was."""
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE feeds (whatever TEXT)")
    conn.execute("INSERT INTO feeds VALUES ('theirs')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="left unchanged"):
        Store(db)
    conn = connect(db)
    assert conn.execute("SELECT whatever FROM feeds").fetchall() == [("theirs",)]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()
