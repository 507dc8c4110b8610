"""The store's write path keeps its on-disk meaning while it gets cheaper."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tuireader.models import Enclosure, ParsedEntry, ParsedFeed
from tuireader.store import Store
from tuireader.store.articles import _content_hash
from tuireader.store.db import to_db_time


def part_by_part(entry: ParsedEntry) -> str:
    """The content hash as it was first written: each part, then a NUL, hashed in turn."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        entry.title,
        entry.link,
        entry.author,
        to_db_time(entry.published),
        to_db_time(entry.updated),
        entry.summary_html,
        entry.content_html,
        "\x1f".join(entry.categories),
        "\x1f".join(e.url for e in entry.enclosures),
    ):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


_TEXT = st.one_of(st.none(), st.text(max_size=20))
_DATES = st.one_of(st.none(), st.datetimes(min_value=datetime(1970, 1, 2), timezones=st.just(UTC)))


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=20),
    _TEXT,
    _TEXT,
    _DATES,
    _DATES,
    _TEXT,
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(st.text(min_size=1, max_size=5), max_size=2),
)
def test_content_hashes_stored_before_stay_valid(
    title: str,
    link: str | None,
    author: str | None,
    published: datetime | None,
    updated: datetime | None,
    html: str | None,
    categories: list[str],
    urls: list[str],
) -> None:
    entry = ParsedEntry(
        title=title,
        link=link,
        author=author,
        published=published,
        updated=updated,
        content_html=html,
        categories=tuple(categories),
        enclosures=tuple(Enclosure(u) for u in urls),
    )
    assert _content_hash(entry) == part_by_part(entry)
    assert _content_hash(entry, to_db_time(published), to_db_time(updated)) == part_by_part(entry)


def test_a_deleted_article_stays_deleted_and_its_tombstone_is_seen(tmp_path: Path) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    clock = [now]
    with Store(tmp_path / "s.db", clock=lambda: clock[0]) as store:
        feed = store.add_feed("https://e.example.org/feed")
        entries = tuple(ParsedEntry(title=f"t{n}", guid=f"g{n}") for n in range(3))
        parsed = ParsedFeed(title="f", entries=entries)
        kwargs = {"body_hash": None, "etag": None, "last_modified": None, "bytes_downloaded": 0}
        assert store.store_feed(feed.id, parsed, **kwargs).new == 3
        with store.db.write() as conn:
            conn.execute("DELETE FROM articles WHERE guid = 'g1'")
            conn.execute(
                "INSERT INTO deleted_articles VALUES (?, 'g:g1', ?, ?)",
                (feed.id, to_db_time(now), to_db_time(now)),
            )
        clock[0] = now + timedelta(days=3)
        more = ParsedFeed(title="f", entries=(*entries, ParsedEntry(title="t3", guid="g3")))
        assert store.store_feed(feed.id, more, **kwargs).new == 1  # g1 does not come back
        with store.db.read() as conn:
            seen = conn.execute("SELECT seen_at FROM deleted_articles").fetchone()[0]
        assert seen == to_db_time(clock[0])
