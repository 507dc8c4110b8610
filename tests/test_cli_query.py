"""The query language, tags and query feeds from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from feedgen import rss
from loopback import LoopbackServer
from tuireader.cli import main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def titles(*argv: str) -> list[str]:
    code, text = run(*argv, "--json")
    assert code == 0 or (code == 1 and argv[0] == "search" and json.loads(text) == [])
    return sorted(a["title"] for a in json.loads(text))


def test_query_list_search_mark_read_tag_and_saved(
    http_server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    http_server.add("/a.xml", rss("Harbour Gazette", items=3))
    http_server.add("/b.xml", rss("Sea Shanties", items=2, item_title="Shanty {n}"))
    assert run("add", http_server.url("/a.xml"), "--folder", "News")[0] == 0
    assert run("add", http_server.url("/b.xml"))[0] == 0

    assert titles("list", "articles", "--query", "folder:news -title:2") == ["Story 0", "Story 1"]
    assert titles("list", "articles", "--unread", "--query", "shanty OR story") == [
        "Shanty 0",
        "Shanty 1",
        "Story 0",
        "Story 1",
        "Story 2",
    ]
    assert titles("search", '"story 1"') == ["Shanty 1", "Story 1"]  # "Full text of story 1."
    assert titles("search", 'title:"story 1"') == ["Story 1"]
    assert titles("search", "feed:shanties cables") == ["Shanty 0", "Shanty 1"]

    code, text = run("mark-read", "--query", "feed:shanties")
    assert (code, text) == (0, "marked 2 articles read\n")
    assert titles("list", "articles", "--query", "is:unread") == ["Story 0", "Story 1", "Story 2"]

    story = json.loads(run("search", "title:story 0", "--json")[1])[0]["id"]
    assert run("tag", str(story), "keep") == (0, f"tagged article {story} with 'keep'\n")
    assert run("tag", "Sea Shanties", "music", "--feed")[0] == 0
    assert titles("search", "tag:keep OR tag:music") == ["Shanty 0", "Shanty 1", "Story 0"]
    assert run("tags")[1] == "     1/1      keep\n     0/2      music  (1 feed)\n"
    assert run("star", str(story)) == (0, f"starred article {story}\n")
    assert titles("search", "is:starred") == ["Story 0"]
    assert run("star", str(story), "--undo")[0] == 0 and titles("search", "is:starred") == []
    assert run("tag", str(story), "keep", "--remove")[0] == 0
    assert titles("search", "tag:keep") == []

    assert run("searches", "add", "Unread news", "folder:news")[0] == 0
    assert run("searches", "edit", "Unread news", "folder:news is:unread")[0] == 0
    assert run("searches") == (
        0,
        "1 saved search:\n  Unread news: folder:news is:unread  (3 unread)\n",
    )
    code, _ = run("searches", "add", "Bad", "is:maybe")
    assert code == 1
    assert "is: takes one of" in capsys.readouterr().err
    # An empty query would match every article: refused, the saved one unchanged.
    for argv in (("add", "Empty", "  "), ("edit", "Unread news", "")):
        assert run("searches", *argv)[0] == 1
        assert "a saved search needs a query" in capsys.readouterr().err
    assert "Unread news: folder:news is:unread" in run("searches")[1]
    # One query, one saved search: a second name for it would be the same sidebar entry.
    assert run("searches", "add", "Other", "rust")[0] == 0
    assert run("searches", "add", "Twice", "folder:news is:unread")[0] == 1
    assert "'Unread news' already searches" in capsys.readouterr().err
    assert run("searches", "edit", "Other", "folder:news is:unread")[0] == 1
    assert "'Unread news' already searches" in capsys.readouterr().err
    run("searches", "remove", "Other")

    code, _ = run("search", "title:story is:maybe")
    assert code == 1
    assert capsys.readouterr().err == (
        "tuireader: query error at column 13: is: takes one of unread, read, starred,"
        " recommended, hidden\n"
    )


URLS = """\
https://a.example/feed.xml news "tech stuff" !hidden "~A Title"
https://b.example/rss.xml
"query:Unread news:unread = \\"yes\\" and tags # \\"news\\""
"query:Recent rust:age < 7 and (title =~ \\"rust\\" or author = \\"Ada\\")"
"query:Anchored:title =~ \\"^Rust\\""
"query:Everything:"
"query:Same again:unread = \\"yes\\" and tags # \\"news\\""
"""


def test_newsboat_urls_keep_every_tag_and_query_feeds_convert(tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text(URLS)
    code, text = run("import", str(urls))
    assert code == 0
    assert "query feed Unread news: is:unread tag:news\n" in text
    assert "query feed Recent rust: age:<7d (title:rust OR author:Ada)\n" in text
    assert 'skipped: line 5: query feed not converted: title =~ "^Rust": only plain words' in text
    # An empty filter is not saved (it would match everything) and stops nothing else.
    assert "skipped: line 6: query feed not converted: a query feed is query:NAME:FILTER" in text
    assert (
        "skipped: query feed 'Same again' not saved: 'Unread news' already searches "
        "'is:unread tag:news'" in text
    )
    code, text = run("edit", "A Title")
    assert "  tags: !hidden, news, tech stuff\n" in text
    assert "  rules: none\n" in text
    assert run("searches")[1] == (
        "2 saved searches:\n"
        "  Unread news: is:unread tag:news  (0 unread)\n"
        "  Recent rust: age:<7d (title:rust OR author:Ada)  (0 unread)\n"
    )
    code, opml = run("export")
    assert 'category="!hidden,news,tech stuff"' in opml
    (tmp_path / "out.opml").write_text(opml)
    db = str(tmp_path / "again.db")
    assert main(["--db", db, "import", str(tmp_path / "out.opml")], out=io.StringIO()) == 0
    out = io.StringIO()
    main(["--db", db, "edit", "A Title"], out=out)
    assert "  tags: !hidden, news, tech stuff\n" in out.getvalue()


def test_edit_shows_the_rules_that_apply(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(
        '[[rules]]\nquery = "a"\naction = "read"\n'
        '[[rules]]\nname = "sport only"\nquery = "b"\naction = "hide"\nfolders = ["Sport"]\n'
    )
    (tmp_path / "urls").write_text("https://a.example/feed.xml News\n")
    run("import", str(tmp_path / "urls"))
    code, text = run("edit", "1")
    assert code == 0
    assert text.endswith("  rules that apply:\n    a: read where a\n")


def test_edit_changes_every_setting_the_feed_form_has(tmp_path: Path) -> None:
    from tuireader.core import make_reader
    from tuireader.feedsettings import feed_settings

    (tmp_path / "urls").write_text("https://a.example/feed.xml\n")
    run("import", str(tmp_path / "urls"))
    code, text = run(
        "edit", "1", "--title", "Harbour", "--folder", "News", "--full-text", "always",
        "--mute", "--interval", "90", "--auto-download", "--data-saver", "--keep", "7",
    )  # fmt: skip
    assert code == 0
    assert text.startswith(
        "1: Harbour <https://a.example/feed.xml> folder=News full_text=always muted=yes "
        "interval=90 min data_saver=yes auto_download=yes\n"
    )  # seen in the user trial: --data-saver changed a setting `edit` did not print
    reader = make_reader()
    settings = feed_settings(reader, 1)
    reader.close()
    assert (settings.auto_download, settings.data_saver, settings.keep_days, settings.keep) == (
        True,
        True,
        None,
        7,
    )
    code, text = run("edit", "1", "--interval", "0", "--unmute", "--no-data-saver")
    assert "muted=no interval=default data_saver=no auto_download=yes\n" in text
    reader = make_reader()
    again = feed_settings(reader, 1)
    reader.close()
    assert (again.title, again.auto_download, again.data_saver, again.keep) == (
        "Harbour",
        True,
        False,
        7,
    )


def test_a_feed_keeps_its_own_retention(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from tuireader.models import ParsedEntry, ParsedFeed
    from tuireader.store import Store

    now = datetime(2026, 11, 20, tzinfo=UTC)
    with Store(tmp_path / "t.db", clock=lambda: now) as store:
        for url in ("https://a.example/f", "https://b.example/f"):
            feed = store.add_feed(url)
            entries = tuple(
                ParsedEntry(title=f"{url} {n}", guid=str(n), published=now - timedelta(days=n))
                for n in (1, 10, 40)
            )
            store.store_feed(
                feed.id,
                ParsedFeed(title=url, entries=entries),
                body_hash=None,
                etag=None,
                last_modified=None,
                bytes_downloaded=0,
            )
            store.set_read(store.query_ids(""))
    db = str(tmp_path / "t.db")
    out = io.StringIO()
    assert main(["--db", db, "edit", "1", "--keep-days", "5"], out=out) == 0
    assert "  retention: 5 days (this feed), no count limit (config.toml)\n" in out.getvalue()
    assert main(["--db", db, "edit", "2", "--keep", "2"], out=io.StringIO()) == 0
    with Store(tmp_path / "t.db", clock=lambda: now) as store:
        assert store.cleanup(30, 0).deleted == 2 + 1  # feed 1: 5 days; feed 2: newest 2
        assert sorted(s.title for s in store.query_summaries("")) == [
            "https://a.example/f 1",
            "https://b.example/f 1",
            "https://b.example/f 10",
        ]
    out = io.StringIO()
    assert main(["--db", db, "edit", "1", "--keep-days", "default"], out=out) == 0
    assert "  retention: forever (config.toml), no count limit (config.toml)\n" in out.getvalue()
