"""Shared steps of the hostile-input tests: store a good feed, serve a hostile one, check.

Every hostile test runs the real refresh (``Reader.refresh``: fetch over loopback HTTP, parse
in a worker process, store in a real SQLite file) and checks that what was stored before,
read and star state included, is untouched.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from feedgen import rss
from loopback import LoopbackServer
from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.models import Article, OutcomeKind, RefreshOutcome
from tuireader.store import ArticleQuery

#: Small limits so a hostile server or document is cut off in a second or two.
TEST_CONFIG = Config(timeout_seconds=5.0, deadline_seconds=1.5, parse_timeout_seconds=10.0)
#: No refresh in these tests may take longer than this, whatever the server does.
OVERALL_DEADLINE = 15.0

#: What must never be stored for display: C0 controls but tab/newline, DEL, C1 controls,
#: bidi embeddings, overrides and isolates, zero-width characters, BOM. Written out here
#: rather than imported from tuireader.sanitize, so the tests check it independently.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def hostile_reader(tmp_path: Path, config: Config = TEST_CONFIG) -> Reader:
    return make_reader(db_path=tmp_path / "tuireader.db", config=config)


@dataclass(frozen=True)
class Seeded:
    """A feed stored from its good version, one article read and one starred."""

    feed_id: int
    url: str
    title: str
    articles: tuple[Article, ...]


async def seed_good_feed(
    reader: Reader, server: LoopbackServer, path: str = "/feed.xml", body: bytes | None = None
) -> Seeded:
    server.add(path, body if body is not None else rss(items=3))
    feed = reader.store.add_feed(server.url(path))
    outcome = await refresh_one(reader)
    assert outcome.kind is OutcomeKind.UPDATED, outcome
    ids = reader.store.article_ids(ArticleQuery(feed_id=feed.id))
    assert len(ids) >= 2
    reader.store.set_read([ids[0]])
    reader.store.set_starred(ids[1], True)
    return Seeded(feed.id, feed.url, reader.store.get_feed(feed.id).title, stored_articles(reader))


def stored_articles(reader: Reader) -> tuple[Article, ...]:
    ids = reader.store.article_ids(ArticleQuery())
    articles = (reader.store.get_article(i) for i in ids)
    return tuple(a for a in articles if a is not None)


async def refresh_one(reader: Reader) -> RefreshOutcome:
    """Refresh every feed (there is one), within the overall deadline."""
    async with asyncio.timeout(OVERALL_DEADLINE):
        summary = await reader.refresh()
    assert len(summary.outcomes) == 1, summary
    return summary.outcomes[0]


def assert_intact(reader: Reader, seeded: Seeded) -> None:
    """Everything stored from the good version is still there, unchanged, state included."""
    now = {a.id: a for a in stored_articles(reader)}
    for before in seeded.articles:
        assert now.get(before.id) == before
    assert reader.store.get_feed(seeded.feed_id).title == seeded.title


def assert_failed(reader: Reader, seeded: Seeded, outcome: RefreshOutcome, reason: str) -> None:
    """A failed outcome with a one-line reason containing ``reason``, recorded on the feed."""
    assert outcome.kind is OutcomeKind.FAILED, outcome
    assert outcome.reason is not None and reason in outcome.reason, outcome.reason
    assert_one_line(outcome.reason)
    assert reader.store.get_feed(seeded.feed_id).last_error == outcome.reason
    assert_intact(reader, seeded)


def assert_one_line(text: str) -> None:
    assert text and "\n" not in text and len(text) <= 300, text
    assert not UNSAFE.search(text), text


def display_values(article: Article) -> list[str]:
    """Every stored field of an article that is shown to users."""
    values = [article.title, article.feed_title, article.author or "", *article.categories]
    values += [e.type or "" for e in article.enclosures]
    values += [article.summary_html or "", article.content_html or "", article.link or ""]
    return values
