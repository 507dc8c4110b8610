"""The ``notify`` setting: "off", "all" or a query naming the new articles worth a
notification, checked when config.toml is read and applied to what a refresh stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tuireader.config import load_config
from tuireader.core import make_reader
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.notify import new_articles


def test_notify_takes_off_all_or_a_query(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    for good in ('"off"', '"all"', '"tag:urgent OR title:storm"'):
        path.write_text(f"notify = {good}\n")
        loaded = load_config(path)
        assert loaded.problems == () and loaded.config.notify == good.strip('"')
    path.write_text('notify = "titel:storm"\n')
    loaded = load_config(path)
    assert loaded.config.notify == "off"
    [problem] = loaded.problems
    assert "notify is not a query (unknown field 'titel'" in problem
    path.write_text("notify = 3\n")
    assert "notify must be one of off, all or a query" in load_config(path).problems[0]


def test_new_articles_are_those_the_rule_names(tmp_path: Path) -> None:
    reader = make_reader(db_path=tmp_path / "t.db")
    store = reader.store
    feed = store.add_feed("https://alerts.example/feed")
    when = datetime(2026, 11, 30, tzinfo=UTC)

    def store_titles(*titles: str) -> None:
        entries = tuple(ParsedEntry(title=t, guid=t, published=when) for t in titles)
        store.store_feed(
            feed.id,
            ParsedFeed(title="Alerts", entries=entries),
            body_hash=None,
            etag=None,
            last_modified=None,
            bytes_downloaded=0,
        )

    store_titles("Old news")
    last = reader.last_article_id()
    store_titles("Old news", "Storm warning", "Calm seas")
    assert {a.title for a in new_articles(store, last)} == {"Storm warning", "Calm seas"}
    assert [a.title for a in new_articles(store, last, "title:storm")] == ["Storm warning"]
    assert new_articles(store, last, "off") == []
    assert new_articles(store, last, "title:(") == []  # no longer parses: nothing, not all
    note = reader.new_articles_note(last)
    assert note is None  # the setting is off by default
