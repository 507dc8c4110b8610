"""The ranked search (`tuireader search`): exact words before prefix matches, title first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import Store
from tuireader.store.search import RANK_WINDOW

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _entry(n: int, title: str, body: str = "Nothing much.") -> ParsedEntry:
    return ParsedEntry(
        title=title,
        guid=f"guid-{n}",
        link=f"https://example.org/{n}",
        published=T0 + timedelta(minutes=n),
        summary_html=f"<p>{body}</p>",
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "search.db", clock=lambda: T0 + timedelta(days=1))


def _put(store: Store, *entries: ParsedEntry) -> None:
    feed = store.add_feed("https://example.org/feed")
    store.store_feed(
        feed.id,
        ParsedFeed(title="Gazette", entries=entries),
        body_hash=None,
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )


def _titles(store: Store, text: str) -> list[str]:
    return [s.title for s in store.summaries(store.search_ids(text))]


def test_exact_words_outrank_prefix_matches(store: Store) -> None:
    # Newer and more numerous, the "Google" posts would win on bm25 alone.
    _put(
        store,
        _entry(1, "Go and Dogma"),
        _entry(2, "Google ships a phone", "Google Google Google"),
        _entry(3, "Google again", "Google"),
        _entry(4, "Weekly notes", "Written in Go, mostly."),
        _entry(5, "Gopher holes"),
    )
    titles = _titles(store, "go")
    # the exact word in a title, then in the text; then the prefix matches
    assert titles[:2] == ["Go and Dogma", "Weekly notes"]
    assert sorted(titles[2:]) == ["Google again", "Google ships a phone", "Gopher holes"]
    # The app's view is not ranked: newest first, prefix matches included.
    newest = [s.title for s in store.summaries(store.search_ids("go", rank=False))]
    assert newest[0] == "Gopher holes"


def test_every_word_must_match_and_the_last_may_be_a_prefix(store: Store) -> None:
    _put(
        store,
        _entry(1, "Harbour cables", "Cable laying in the harbour."),
        _entry(2, "Cable news"),
        _entry(3, "Harbour cableway opens"),
    )
    # "cable" is exact in the first (its text), a prefix of the third's "cableway"
    assert _titles(store, "harbour cable") == ["Harbour cables", "Harbour cableway opens"]
    assert _titles(store, "cable news") == ["Cable news"]


def test_a_common_word_returns_the_limit_in_tier_order(store: Store) -> None:
    # More matches than bm25 scores (RANK_WINDOW): the window's best first, then the
    # rest of the tier newest first, then the next tier; nothing twice.
    many = RANK_WINDOW + 50
    entries = [_entry(n, f"Council meeting {n}") for n in range(many)]
    entries.append(_entry(many, "Weekly digest", "The council met."))
    _put(store, *entries)
    ids = store.search_ids("council", limit=many + 1)
    assert len(ids) == len(set(ids)) == many + 1
    assert store.summaries(ids[-1:])[0].title == "Weekly digest"
    assert len(store.search_ids("council", limit=10)) == 10
