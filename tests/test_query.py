"""The query language: parser, compiler and the store running it on a real SQLite file."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.query import QueryError, compile_query, compile_text, parse_query
from tuireader.query.ast import Age, And, DateBound, Is, Not, Or, TagIs, Text
from tuireader.store import ArticleQuery, Store

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=1)


def entry(n: int, title: str, **changes: object) -> ParsedEntry:
    values: dict[str, object] = {
        "title": title,
        "guid": f"guid-{n}",
        "link": f"https://example.org/{n}",
        "author": "Ada Lovelace",
        "published": T0 - timedelta(days=n),
        "summary_html": f"<p>Body of {title.lower()}</p>",
    }
    values.update(changes)
    return ParsedEntry(**values)  # type: ignore[arg-type]


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Store, dict[str, int]]]:
    """Two feeds, five articles; returns the store and article ids by title."""
    store = Store(tmp_path / "tuireader.db", clock=lambda: NOW)
    tech = store.add_feed("https://tech.example/feed", title="Tech Weekly", folder="News/Tech")
    sport = store.add_feed("https://sport.example/rss", title="Match Report", folder="Sport")
    store.store_feed(
        tech.id,
        ParsedFeed(
            title="Tech",
            entries=(
                entry(0, "Rust memory safety explained"),
                entry(1, "Python packaging pain", author="Guido"),
                entry(10, "Old news about the big cat", summary_html="<p>the big cat sat</p>"),
            ),
        ),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    store.store_feed(
        sport.id,
        ParsedFeed(
            title="Sport",
            entries=(
                entry(2, "Cup final: cat beats dog", enclosures=(Enclosure("https://x/a.mp3"),)),
                entry(3, "Sponsored: buy python shoes"),
            ),
        ),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    ids = {s.title.split()[0]: s.id for s in store.list_articles(ArticleQuery(), limit=10)}
    yield store, ids
    store.close()


def titles(store: Store, query: str) -> set[str]:
    return {s.title.split()[0] for s in store.query_summaries(query)}


def test_grammar_builds_the_expected_tree() -> None:
    assert parse_query('rust "big cat" -is:read OR tag:x') == Or(
        (And((Text("rust"), Text("big cat", phrase=True), Not(Is("read")))), TagIs("x"))
    )
    assert parse_query('title:"a b" age:<7d after:2026-11-01') == And(
        (
            Text("a b", "title", phrase=True),
            Age(True, 7 * 86400),
            DateBound(True, date(2026, 11, 1)),
        )
    )
    assert parse_query("(a OR b) AND c") == And((Or((Text("a"), Text("b"))), Text("c")))
    assert parse_query("age:>2w") == Age(False, 14 * 86400)
    assert parse_query("https://example.org/a") == Text("https://example.org/a")


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("rust titel:x", 6, "unknown field 'titel'"),
        ('cat "unclosed', 5, "never closed"),
        ("is:maybe", 1, "is: takes one of"),
        ("after:2026-13-01", 1, "YYYY-MM-DD"),
        ("age:7", 1, "age: takes"),
        ("a OR", 5, "ends where a term was expected"),
        ("OR a", 1, "expected a term before OR"),
        ("(a b", 1, "never closed"),
        ("a b)", 4, "has no '('"),
        ("a - b", 3, "'-' must be followed"),
        ("title: x", 1, "needs a value"),
    ],
)
def test_parse_errors_point_at_the_column(text: str, column: int, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert caught.value.column == column
    assert words in caught.value.message
    assert "\n" not in str(caught.value)


def test_free_words_and_phrases(library: tuple[Store, dict[str, int]]) -> None:
    store, _ = library
    assert titles(store, "python") == {"Python", "Sponsored:"}
    assert titles(store, "python -sponsored") == {"Python"}
    assert titles(store, '"big cat"') == {"Old"}
    assert titles(store, "big cat") == {"Old"}
    assert titles(store, "cat") == {"Old", "Cup"}
    assert titles(store, "pyth") == set()
    assert titles(store, "pyth*") == {"Python", "Sponsored:"}
    assert store.query_ids("pyth", prefix_last=True) == store.query_ids("pyth*")
    # Shorter than MIN_TYPED_PREFIX, the word being typed matches as a whole word only.
    assert store.query_ids("py", prefix_last=True) == store.query_ids("py") == []
    assert store.query_ids("py*") == store.query_ids("pyth*") != []


def test_a_phrase_is_its_words_next_to_each_other(tmp_path: Path) -> None:
    """As the highlighter finds it: whole words in order, anything but letters and digits
    between them; not a substring of a longer word, not the words apart."""
    with Store(tmp_path / "p.db", clock=lambda: NOW) as store:
        feed = store.add_feed("https://p.example/feed")
        bodies = {
            "adjacent": "the city council met",
            "punctuated": "a new city. Council rules",
            "substring": "the electricity council met in the city",
            "apart": "the council of the city",
            "titled": "nothing here",
        }
        entries = tuple(
            entry(n, "City council news" if name == "titled" else name, summary_html=body)
            for n, (name, body) in enumerate(bodies.items())
        )
        store.store_feed(
            feed.id,
            ParsedFeed(title="p", entries=entries),
            body_hash=None,
            etag=None,
            last_modified=None,
            bytes_downloaded=0,
        )
        assert titles(store, '"city council"') == {"adjacent", "punctuated", "City"}
        assert titles(store, 'title:"city council"') == {"City"}
        assert titles(store, '"council city"') == set()
        assert titles(store, '-"city council" city') == {"substring", "apart"}
        assert titles(store, '"city council" OR electricity') == {
            "adjacent",
            "punctuated",
            "City",
            "substring",
        }
        assert store.count_query('"city council" -punctuated', unread_only=False) == 2


def test_migration_8_rebuilds_the_index_with_positions(tmp_path: Path) -> None:
    """A store from before migration 8 (an index without positions) keeps every entry and
    answers phrases after the upgrade."""
    from tuireader.store.db import Database
    from tuireader.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    Database(path, migrations=MIGRATIONS[:7]).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'https://o/f', 'O', 'x')"
        )
        for n, body in enumerate(("the big cat sat", "a cat that is big")):
            conn.execute(
                "INSERT INTO articles (id, feed_id, dedup_key, title, content_hash, first_seen,"
                " sort_date) VALUES (?, 1, ?, ?, 'h', 'x', '2026-11-20T12:00:00Z')",
                (n + 1, f"g:{n}", f"Story {n}"),
            )
            conn.execute(
                "INSERT INTO articles_fts (rowid, title, author, body) VALUES (?, ?, '', ?)",
                (n + 1, f"Story {n}", body),
            )
    conn.close()
    with Store(path, clock=lambda: NOW) as store:
        assert store.query_ids('"big cat"') == [1]
        assert sorted(store.query_ids("big cat")) == [1, 2]
        with store.db.read() as read:
            sql = read.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'"
            ).fetchone()[0]
            temp = read.execute("SELECT count(*) FROM temp.sqlite_master").fetchone()[0]
            merge = read.execute(
                "SELECT v FROM articles_fts_config WHERE k = 'automerge'"
            ).fetchone()[0]
        assert "detail = full" in sql and merge == 8
        assert temp == 0  # the text's temporary copy is gone


def test_fields_and_filters(library: tuple[Store, dict[str, int]]) -> None:
    store, ids = library
    assert titles(store, "author:guido") == {"Python"}
    assert titles(store, "title:cat") == {"Old", "Cup"}
    assert titles(store, "feed:match") == {"Cup", "Sponsored:"}
    assert titles(store, "feed:tech.example") == {"Rust", "Python", "Old"}
    assert titles(store, "folder:news") == {"Rust", "Python", "Old"}  # and folders inside
    assert titles(store, "folder:news/tech") == {"Rust", "Python", "Old"}
    assert titles(store, "has:enclosure") == {"Cup"}
    assert titles(store, "age:<2d") == {"Rust", "Python"}
    assert titles(store, "age:>5d") == {"Old"}
    assert titles(store, "after:2026-11-18 before:2026-11-20") == {"Cup", "Python"}
    store.set_starred(ids["Rust"], True)
    store.set_read([ids["Python"]])
    assert titles(store, "is:starred OR is:read") == {"Rust", "Python"}
    assert titles(store, "-is:read -is:starred") == {"Old", "Cup", "Sponsored:"}
    assert titles(store, "") == {"Rust", "Python", "Old", "Cup", "Sponsored:"}
    assert store.count_query("python") == 1  # unread only by default
    assert store.count_query("python", unread_only=False) == 2


def test_tags_on_feeds_and_articles(library: tuple[Store, dict[str, int]]) -> None:
    store, ids = library
    sport = store.find_feed("Match Report")
    assert store.tag_feed(sport.id, "Games")
    assert store.tag_article(ids["Rust"], "later")
    assert not store.tag_article(ids["Rust"], "LATER")  # case-blind, kept once
    assert titles(store, "tag:games") == {"Cup", "Sponsored:"}
    assert titles(store, "tag:later OR tag:games -cup") == {"Rust", "Sponsored:"}
    counts = {t.name: (t.feeds, t.articles, t.unread) for t in store.tag_counts()}
    assert counts == {"Games": (1, 2, 2), "later": (0, 1, 1)}
    assert store.tag_article(ids["Rust"], "later", remove=True)
    assert titles(store, "tag:later") == set()


def test_hidden_articles_only_show_to_is_hidden(library: tuple[Store, dict[str, int]]) -> None:
    store, ids = library
    with store.db.write() as conn:
        conn.execute("UPDATE articles SET hidden = 1 WHERE id = ?", (ids["Sponsored:"],))
    assert "Sponsored:" not in titles(store, "python")
    assert titles(store, "is:hidden") == {"Sponsored:"}
    assert titles(store, "python -is:hidden") == {"Python"}
    assert ids["Sponsored:"] not in store.article_ids(ArticleQuery())
    assert ids["Sponsored:"] in store.article_ids(ArticleQuery(include_hidden=True))


def test_a_query_within_a_view(library: tuple[Store, dict[str, int]]) -> None:
    store, _ = library
    sport = store.find_feed("Match Report")
    within = ArticleQuery(feed_id=sport.id)
    assert {store.summaries([i])[0].title for i in store.query_ids("python", within=within)} == {
        "Sponsored: buy python shoes"
    }


def test_query_feeds_count_unread_and_can_be_edited(library: tuple[Store, dict[str, int]]) -> None:
    store, _ = library
    store.add_saved_search("Cats", "cat")
    store.save_search("rust")  # the app's old "save this search" still works
    assert [(f.name, f.unread) for f in store.query_feeds()] == [("Cats", 2), ("rust", 1)]
    store.edit_saved_search("Cats", "cat -has:enclosure")
    store.rename_saved_search("Cats", "Quiet cats")
    store.mark_matching_read("title:old")
    assert [(f.name, f.unread) for f in store.query_feeds()][0] == ("Quiet cats", 0)
    store.delete_saved_search("Quiet cats")
    assert [f.name for f in store.query_feeds()] == ["rust"]


_ALPHABET = st.sampled_from(
    list("abc xyz:-()\"*<>\\/%_'\t") + ["OR", "AND", "is:", "tag:", "age:<", "title:", "7d", "é"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), st.lists(_ALPHABET, max_size=25).map("".join)))
def test_no_input_crashes_the_parser_and_compiled_sql_always_runs(text: str) -> None:
    try:
        compiled = compile_text(text, NOW, prefix_last=True)
    except QueryError as error:
        assert 1 <= error.column <= len(text) + 1
        assert "\n" not in error.message
        return
    conn = _empty_store_connection()
    conn.execute(f"SELECT count(*) FROM articles a WHERE {compiled.where}", compiled.params)
    # As rules run it on new articles: text matches limited to a rowid range.
    ranged = compile_query(parse_query(text), NOW, rowids=(1, 5))
    conn.execute(f"SELECT count(*) FROM articles a WHERE {ranged.where}", ranged.params)


_CONNECTION: list[sqlite3.Connection] = []


def _empty_store_connection() -> sqlite3.Connection:
    """One real store (schema and FTS5 included) for every example: opening is slow."""
    if not _CONNECTION:
        folder = tempfile.mkdtemp(prefix="tuireader-query-")
        store = Store(Path(folder) / "q.db", clock=lambda: NOW)
        feed = store.add_feed("https://q.example/feed")
        store.store_feed(
            feed.id,
            ParsedFeed(title="q", entries=(entry(0, "a b c xyz"),)),
            body_hash=None,
            etag=None,
            last_modified=None,
            bytes_downloaded=0,
        )
        _CONNECTION.append(store.db.conn)
    return _CONNECTION[0]


def test_highlight_terms_find_matches_and_n_moves_between_them() -> None:
    from tuireader.query.highlight import Term, find_matches, highlight_terms, next_match

    node = parse_query('cable "big  cat" -dog OR title:harb*')
    terms = highlight_terms(node)
    assert terms == (Term(("cable",)), Term(("big", "cat")), Term(("harb",), prefix=True))
    text = "Cables and a cable; the Big\ncat saw no dog in Harbourside. big cats? cable"
    spans = find_matches(text, terms)
    assert [text[a:b] for a, b in spans] == ["cable", "Big\ncat", "Harb", "cable"]
    assert next_match(spans, 0) == spans[0]
    assert next_match(spans, spans[1][0]) == spans[2]
    assert next_match(spans, spans[1][0], backwards=True) == spans[0]
    assert next_match(spans, spans[-1][0]) is None
    assert highlight_terms(parse_query("pyth"), prefix_last=True) == (Term(("pyth",), True),)
    # Two letters typed are a word, not a prefix (unless the user writes the *).
    assert highlight_terms(parse_query("py"), prefix_last=True) == (Term(("py",), False),)
    assert highlight_terms(parse_query("py*"), prefix_last=True) == (Term(("py",), True),)
    assert find_matches("anything", highlight_terms(parse_query("is:unread -x"))) == []


_TERMS = st.sampled_from(
    [
        "python",
        "cat",
        "big",
        '"big cat"',
        "title:cat",
        "author:guido",
        "pyth*",
        "feed:match",
        "folder:news",
        "is:unread",
        "is:starred",
        "has:enclosure",
        "age:<2d",
        "tag:games",
        "zzz",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=_TERMS, b=_TERMS, c=_TERMS)
def test_and_or_not_mean_intersection_union_and_complement(
    library: tuple[Store, dict[str, int]], a: str, b: str, c: str
) -> None:
    """Merging words into one FTS5 match (AND, OR, NOT) must not change what matches."""
    store, ids = library
    store.set_starred(ids["Rust"], True)
    store.tag_feed(store.find_feed("Match Report").id, "games")

    def found(query: str) -> set[int]:
        return set(store.query_ids(query))

    everything = found("")
    assert found(f"{a} {b}") == found(a) & found(b)
    assert found(f"{a} OR {b}") == found(a) | found(b)
    assert found(f"-{a}") == everything - found(a)
    assert found(f"{a} -{b} -{c}") == found(a) - found(b) - found(c)
    assert found(f"-{a} -{b}") == everything - found(a) - found(b)
    assert found(f"{a} OR {b} OR -{c}") == found(a) | found(b) | (everything - found(c))
    assert found(f"({a} OR {b}) {c}") == (found(a) | found(b)) & found(c)
