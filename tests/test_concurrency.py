"""Two tuireaders on one database: both keep working, or one says clearly it cannot write."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedgen import rss
from helpers.dbcheck import connect, consistency_problems, snapshot
from loopback import LoopbackServer, Request, Response
from tuireader.models import FullText, ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery, Store, StoreError

FEEDS = 12
ITEMS = 10
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def refresh_command(db: Path) -> list[str]:
    return [sys.executable, "-m", "tuireader", "--db", str(db), "refresh"]


def serve_feeds(
    server: LoopbackServer, *, start: int = 0, gate: Callable[[int], None] | None = None
) -> None:
    """FEEDS feeds of ITEMS items; ``gate(n)`` runs before the nth response (1-based)."""
    counter = iter(range(1, 10_000))
    lock = threading.Lock()

    def handler_for(k: int) -> Callable[[Request], Response]:
        body = rss(f"Feed {k}", ITEMS, start=start, link=f"https://f{k}.example.org/")

        def handler(_request: Request) -> Response:
            with lock:
                n = next(counter)
            if gate is not None:
                gate(n)
            return Response(body, headers={"Content-Type": "application/rss+xml"})

        return handler

    for k in range(FEEDS):
        server.add_handler(f"/feed/{k}.xml", handler_for(k))


def subscribe(db: Path, server: LoopbackServer) -> None:
    with Store(db) as store:
        for k in range(FEEDS):
            store.add_feed(server.url(f"/feed/{k}.xml"))


def test_refresh_in_another_process_while_marking_articles(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    """The test marks articles in a loop while a refresh subprocess stores feeds; the
    server lets the nth feed out only after 3n marks, so writes really interleave."""
    db = tmp_path / "shared.db"
    subscribe(db, http_server)
    with Store(db) as store:  # articles to mark, from an earlier refresh
        for feed in store.list_feeds():
            k = int(feed.url.rsplit("/", 1)[1].split(".")[0])
            parsed = ParsedFeed(
                title=f"Feed {k}",
                entries=tuple(
                    ParsedEntry(title=f"Old {k}.{i}", guid=f"old-{k}-{i}", published=T0)
                    for i in range(20)
                ),
            )
            store.store_feed(
                feed.id, parsed, body_hash=None, etag=None, last_modified=None, bytes_downloaded=0
            )
    marks = 0
    marked = threading.Condition()

    def gate(n: int) -> None:
        with marked:
            assert marked.wait_for(lambda: marks >= 3 * n, timeout=30)

    serve_feeds(http_server, gate=gate)
    rng = random.Random(7)
    expected: dict[int, tuple[bool, bool]] = {}
    with Store(db) as store:
        ids = store.article_ids(ArticleQuery())
        refresh = subprocess.Popen(
            refresh_command(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        while refresh.poll() is None or marks < 3 * FEEDS:
            article_id = rng.choice(ids)
            read, starred = rng.random() < 0.5, rng.random() < 0.3
            store.set_read([article_id], read)
            store.set_starred(article_id, starred)
            expected[article_id] = (read, starred)
            with marked:
                marks += 1
                marked.notify_all()
        out, err = refresh.communicate(timeout=30)
        assert refresh.returncode == 0, err
        assert f"{FEEDS} feeds: {FEEDS} updated" in out, out + err
        for article_id, (read, starred) in expected.items():
            article = store.get_article(article_id)
            assert article is not None and (article.read, article.starred) == (read, starred)
        assert store.count_articles(ArticleQuery()) == FEEDS * (20 + ITEMS)
    assert consistency_problems(db) == []


def test_two_refreshes_at_once_store_each_article_once(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    db = tmp_path / "shared.db"
    subscribe(db, http_server)
    # Hold the first responses until six requests wait: one refresh has at most four in
    # flight (its per-host limit), so both refreshes are then mid-way.
    arrived = threading.Condition()
    arrivals = 0

    def gate(_n: int) -> None:
        nonlocal arrivals
        with arrived:
            arrivals += 1
            arrived.notify_all()
            assert arrived.wait_for(lambda: arrivals >= 6, timeout=30)

    serve_feeds(http_server, gate=gate)
    first, second = (
        subprocess.Popen(
            refresh_command(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    )
    for refresh in (first, second):
        out, err = refresh.communicate(timeout=60)
        assert refresh.returncode == 0, err
        assert f"{FEEDS} feeds:" in out and "0 failed" in out, out + err
    assert http_server.max_in_flight >= 6  # they did overlap
    assert len(snapshot(db)) == FEEDS * ITEMS
    assert consistency_problems(db) == []


def test_a_writer_that_holds_on_past_the_busy_timeout_gets_a_one_line_error(
    tmp_path: Path,
) -> None:
    db = tmp_path / "busy.db"
    with Store(db) as store:
        feed = store.add_feed("https://example.org/feed")
    other = connect(db)
    other.execute("BEGIN IMMEDIATE")  # another tuireader in the middle of a long write
    try:
        with Store(db, busy_timeout=0.2) as store:
            assert store.get_feed(feed.id).url == "https://example.org/feed"  # reads go on
            with pytest.raises(StoreError, match="busy: another tuireader is writing") as caught:
                store.update_feed(feed.id, title="Mine")
            assert "\n" not in str(caught.value)
            other.execute("COMMIT")
            assert store.update_feed(feed.id, title="Mine").title == "Mine"
    finally:
        other.close()


def test_read_modify_write_from_two_connections_loses_no_update(tmp_path: Path) -> None:
    """record_failure reads the failure count and writes it + 1. Under a deferred
    transaction two writers would collide ("database is locked" at once) or lose updates;
    BEGIN IMMEDIATE makes them take turns within the busy timeout."""
    db = tmp_path / "rmw.db"
    with Store(db) as store:
        feed_id = store.add_feed("https://example.org/feed").id
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def hammer() -> None:
        try:
            with Store(db) as store:
                start.wait()
                for _ in range(150):
                    store.record_failure(feed_id, "HTTP 500")
                    store.set_starred(1, False)  # no such article: a read, no write
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(db) as store:
        assert store.get_feed(feed_id).consecutive_failures == 300


WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def test_every_write_runs_inside_begin_immediate(tmp_path: Path) -> None:
    """Audit: trace every statement the store runs while exercising each write method."""
    store = Store(tmp_path / "audit.db", clock=lambda: T0)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    feed = store.add_feed("https://example.org/feed")
    other = store.add_feed("https://example.org/other")
    parsed = ParsedFeed(
        title="Feed",
        entries=tuple(ParsedEntry(title=f"S{i}", guid=f"g{i}", published=T0) for i in range(4)),
    )
    store.store_feed(
        feed.id, parsed, body_hash="h", etag=None, last_modified=None, bytes_downloaded=1
    )
    a, b, c, d = store.article_ids(ArticleQuery())
    writers: list[tuple[str, Callable[[], object]]] = [
        ("update_feed", lambda: store.update_feed(feed.id, title="T", muted=True)),
        ("set_read", lambda: store.set_read([a])),
        ("mark_query_read", lambda: store.mark_query_read(ArticleQuery())),
        ("open_article", lambda: store.open_article(b)),
        ("set_starred", lambda: store.set_starred(c, True)),
        ("set_recommended", lambda: store.set_recommended(c, True)),
        ("record_event", lambda: store.record_event("less_like", article_id=c)),
        (
            "save_full_text",
            lambda: store.save_full_text(
                FullText(article_id=d, url="https://example.org/d", fetched_at=T0, markdown="x"),
                search_text="page words",
            ),
        ),
        ("index_full_text", lambda: store.index_full_text(d, "more words")),
        ("record_failure", lambda: store.record_failure(other.id, "HTTP 500")),
        ("record_not_modified", lambda: store.record_not_modified(other.id, bytes_downloaded=1)),
        ("move_feed_url", lambda: store.move_feed_url(other.id, "https://example.org/moved")),
        ("record_refresh", lambda: store.record_refresh(T0, T0, 1, 1, 0, 0, 4, 10)),
        ("cleanup", lambda: store.cleanup(1, 1, include_unread=True)),
        ("remove_feed", lambda: store.remove_feed(other.id)),
    ]
    for name, write in writers:
        statements.clear()
        write()
        wrote = [s for s in statements if s.lstrip().upper().startswith(WRITE_VERBS)]
        assert wrote, f"{name} wrote nothing: the audit would not see it"
        in_transaction = False
        for statement in statements:
            verb = statement.lstrip().upper()
            if verb.startswith("BEGIN"):
                assert verb == "BEGIN IMMEDIATE", f"{name}: {statement}"
                in_transaction = True
            elif verb.startswith(("COMMIT", "ROLLBACK")):
                in_transaction = False
            elif verb.startswith(WRITE_VERBS):
                assert in_transaction, f"{name} writes outside BEGIN IMMEDIATE: {statement}"
    store.close()
    assert sqlite3.connect(tmp_path / "audit.db").execute("PRAGMA quick_check").fetchone() == (
        "ok",
    )
