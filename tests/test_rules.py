"""Rules from config.toml: applied while a real refresh stores articles, on demand, undone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from feedgen import rss
from loopback import LoopbackServer
from tuireader.cli import main
from tuireader.core import Reader, make_reader
from tuireader.rules import load_rules
from tuireader.store import ArticleQuery


def write_config(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


RULES = """
[[rules]]
name = "no ads"
query = 'title:sponsored'
action = "hide"

[[rules]]
query = 'cables'
action = "tag:cables"
folders = ["Other"]

[[rules]]
query = '"story 1"'
action = "star"

[[rules]]
query = 'title:story age:>3650d'
action = "delete"

[[rules]]
query = 'is:maybe'
action = "read"

[[rules]]
name = "boom"
query = 'x'
action = "explode"
"""


def refreshed_reader(tmp_path: Path, http_server: LoopbackServer) -> Reader:
    write_config(tmp_path, RULES)
    http_server.add("/ads.xml", rss("Ad Gazette", items=3, item_title="Sponsored {n}"))
    http_server.add("/b.xml", rss("Other", items=2, link="https://b.example/"))
    reader = make_reader(db_path=tmp_path / "tuireader.db")
    reader.store.add_feed(http_server.url("/ads.xml"))
    reader.store.add_feed(http_server.url("/b.xml"), folder="Other")
    return reader


def by_title(reader: Reader, query: str) -> list[str]:
    return sorted(s.title for s in reader.store.query_summaries(query))


async def test_rules_apply_as_a_refresh_stores_articles(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    reader = refreshed_reader(tmp_path, http_server)
    assert reader.config_problems == (
        "rule 5 skipped: query 'is:maybe', column 1: is: takes one of unread, read, "
        "starred, recommended, hidden",
        "rule 6 (boom) skipped: action 'explode' is not one of read, hide, star, tag:NAME, delete",
    )
    summary = await reader.refresh()
    assert summary.new_articles == 5
    # Hidden from every view and count, reachable with is:hidden, and read.
    assert by_title(reader, "") == ["Story 0", "Story 1"]
    assert by_title(reader, "is:hidden") == ["Sponsored 0", "Sponsored 1", "Sponsored 2"]
    assert reader.store.count_articles(ArticleQuery(unread_only=True)) == 2
    # Nor are they "new" to the app's notices of what a refresh brought.
    assert len(reader.store.article_ids_after(0)) == 2
    assert {f.title: f.unread for f in reader.feeds()}["Ad Gazette"] == 0
    # Scoped to the folder: the ads feed's teasers mention cables too but are not tagged.
    assert by_title(reader, "tag:cables") == ["Story 0", "Story 1"]
    assert by_title(reader, "is:starred") == ["Story 1"]
    # A second refresh with one more item: only the new article goes through the rules.
    http_server.add("/ads.xml", rss("Ad Gazette", items=4, item_title="Sponsored {n}"))
    await reader.refresh()
    assert len(by_title(reader, "is:hidden")) == 4
    reader.close()


async def test_rules_undo_test_and_apply(tmp_path: Path, http_server: LoopbackServer) -> None:
    reader = refreshed_reader(tmp_path, http_server)
    await reader.refresh()
    assert reader.store.undo_rules("no ads") == 3
    assert by_title(reader, "is:hidden") == []
    assert reader.store.count_articles(ArticleQuery(unread_only=True)) == 5
    outcome = {o.rule.name: len(o.article_ids) for o in reader.store.test_rules(reader.store.rules)}
    assert outcome["no ads"] == 3 and outcome["cables"] == 2
    assert by_title(reader, "is:hidden") == []  # testing changed nothing
    applied = {
        o.rule.name: len(o.article_ids) for o in reader.store.apply_rules(reader.store.rules)
    }
    assert applied["no ads"] == 3 and applied["cables"] == 0  # already tagged
    assert reader.store.undo_rules() == 3 + 2 + 1
    assert by_title(reader, "tag:cables OR is:starred OR is:hidden") == []
    reader.close()


def test_rules_from_the_command_line(tmp_path: Path, http_server: LoopbackServer) -> None:
    reader = refreshed_reader(tmp_path, http_server)
    reader.close()
    out = io.StringIO()
    db = str(tmp_path / "tuireader.db")
    assert main(["--db", db, "refresh"], out=out) == 0
    out = io.StringIO()
    assert main(["--db", db, "rules", "undo"], out=out) == 0
    assert out.getvalue() == "undid 6 changes (deletions cannot be undone)\n"
    out = io.StringIO()
    assert main(["--db", db, "rules", "test"], out=out) == 0
    assert "no ads: would hide 3 articles\n" in out.getvalue()
    out = io.StringIO()
    assert main(["--db", db, "rules", "apply", "no ads"], out=out) == 0
    assert out.getvalue() == "no ads: hide 3 articles\n"


def test_a_delete_rule_tombstones_so_the_feed_does_not_bring_it_back(
    tmp_path: Path,
) -> None:
    from tuireader.models import ParsedEntry, ParsedFeed

    rules, problems = load_rules([{"query": "title:gone", "action": "delete"}])
    assert problems == ()
    reader = make_reader(db_path=tmp_path / "t.db")
    reader.store.rules = rules
    feed = reader.store.add_feed("https://d.example/feed")
    parsed = ParsedFeed(
        title="d",
        entries=(ParsedEntry(title="gone soon", guid="1"), ParsedEntry(title="kept", guid="2")),
    )
    for _ in range(2):
        reader.store.store_feed(
            feed.id, parsed, body_hash=None, etag=None, last_modified=None, bytes_downloaded=0
        )
        assert by_title(reader, "") == ["kept"]
        reader.store.rules = ()  # the second time, only the tombstone keeps it out
    assert by_title(reader, "is:hidden") == []
    reader.close()


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("not a table", "must be a table"),
        ({"action": "read"}, "needs a query"),
        ({"query": "a", "action": "tag:"}, "is not one of"),
        ({"query": "a", "action": "read", "feeds": [3]}, "feeds must be a list"),
        ({"query": "a", "action": "read", "when": "now"}, "unknown key 'when'"),
    ],
)
def test_a_broken_rule_is_one_line_and_skipped(raw: object, problem: str) -> None:
    rules, problems = load_rules([raw, {"query": "b", "action": "read"}])
    assert [r.query for r in rules] == ["b"]
    assert len(problems) == 1 and problem in problems[0] and "\n" not in problems[0]
