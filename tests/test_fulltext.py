"""Full text for teaser feeds: fetched, extracted, cached, searchable, readable offline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from loopback import LoopbackServer
from tuireader.cli import main
from tuireader.core import Reader, make_reader
from tuireader.fulltext import BodySource
from tuireader.models import FullTextMode
from tuireader.store import ArticleQuery

PARAGRAPHS = [
    "The Kestrel cable came ashore at Gull Point on Tuesday morning, ending a voyage of "
    "eleven weeks for the cable ship Marguerite and her crew of sixty-two.",
    "Engineers spliced the armoured shore end to the landing station within hours, and the "
    "first light crossed the Atlantic section just before midnight, the operator said.",
    "Residents gathered on the harbour wall to watch the floats cut away one by one as the "
    "cable settled into the trench that divers had prepared in the sand over the summer.",
    "The new system carries twenty-four fibre pairs, more than the three older cables that "
    "land on this coast combined, and is expected to cut latency to the mainland by a third.",
]


def article_page(title: str = "Kestrel cable lands at Gull Point") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html><html><head><title>{title} | Harbour Gazette</title>
<meta property="og:title" content="{title}">
<meta name="author" content="Mara Quill">
<meta property="article:published_time" content="2026-11-24T09:30:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Ferry timetable changes</a></li>
<li><a href="/y">Lifeboat day</a></li></ul></aside>
<article><h1>{title}</h1><p class="byline">By Mara Quill</p>
<time datetime="2026-11-24T09:30:00Z">24 November 2026</time>
{body}<h2>What happens next</h2><p>Testing continues through December, with commercial
traffic planned for the spring once the second landing in Brest is complete.</p>
<div class="share">Share on Facebook Share on X</div>
<button class="recommend">Recommend 42</button></article>
<section class="comments"><h3>Comments</h3><p>Great news for the town! - Bob</p></section>
<footer>Copyright Harbour Gazette. Privacy policy. Contact us.</footer>
</body></html>""".encode()


def teaser_feed(link: str) -> bytes:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<link>https://example.org/</link>
<item><title>Kestrel cable lands at Gull Point</title><link>{link}</link><guid>k1</guid>
<pubDate>Tue, 24 Nov 2026 09:30:00 GMT</pubDate>
<description>The Kestrel cable came ashore at Gull Point on Tuesday…</description></item>
</channel></rss>""".encode()


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return make_reader(db_path=tmp_path / "tuireader.db")


async def subscribe_teaser(reader: Reader, server: LoopbackServer) -> int:
    server.add("/story", article_page(), content_type="text/html; charset=utf-8", etag='"p1"')
    server.add("/feed.xml", teaser_feed(server.url("/story")))
    result = await reader.subscribe(server.url("/feed.xml"))
    [article_id] = reader.store.article_ids(ArticleQuery(feed_id=result.feed.id))
    return article_id


async def test_teaser_is_detected_and_the_page_replaces_it(
    reader: Reader, http_server: LoopbackServer
) -> None:
    article_id = await subscribe_teaser(reader, http_server)
    article = reader.article(article_id)
    assert article is not None
    assert reader.wants_full_text(article)
    assert reader.body(article).source is BodySource.FEED

    full = await reader.fetch_full_text(article_id)
    assert full.markdown is not None and full.error is None
    assert full.author == "Mara Quill" and full.etag == '"p1"'
    body = reader.body(article)
    assert body.source is BodySource.PAGE
    assert "## What happens next" in body.markdown
    assert not body.markdown.startswith("# Kestrel")  # the header shows the title already
    assert "twenty-four fibre pairs" in body.markdown
    for boilerplate in ("Most read", "Copyright", "Great news for the town", "Share on"):
        assert boilerplate not in body.markdown
    assert not reader.wants_full_text(article)  # cached now
    assert reader.store.search_ids("Brest") == [article_id]  # full text is indexed


async def test_never_mode_does_not_fetch_and_always_does(
    reader: Reader, http_server: LoopbackServer
) -> None:
    article_id = await subscribe_teaser(reader, http_server)
    article = reader.article(article_id)
    assert article is not None
    reader.store.update_feed(article.feed_id, full_text=FullTextMode.NEVER)
    assert not reader.wants_full_text(article)
    summary = await reader.prefetch_full_texts()
    assert summary.fetched == 0 and "/story" not in http_server.paths_requested()
    reader.store.update_feed(article.feed_id, full_text=FullTextMode.ALWAYS)
    assert reader.wants_full_text(article)


async def test_prefetch_respects_count_and_byte_budgets(
    reader: Reader, http_server: LoopbackServer
) -> None:
    await subscribe_teaser(reader, http_server)
    none_allowed = await reader.prefetch_full_texts(max_articles=0)
    assert none_allowed.fetched == 0 and none_allowed.skipped_for_budget == 1
    summary = await reader.prefetch_full_texts(max_articles=5, max_bytes=10**6)
    assert summary.fetched == 1 and summary.bytes_downloaded > 1000
    again = await reader.prefetch_full_texts()
    assert again.fetched == 0  # nothing left to fetch


async def test_a_dead_page_falls_back_to_the_feed_text(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/feed.xml", teaser_feed(http_server.url("/gone")))
    result = await reader.subscribe(http_server.url("/feed.xml"))
    [article_id] = reader.store.article_ids(ArticleQuery(feed_id=result.feed.id))
    full = await reader.fetch_full_text(article_id)
    assert full.markdown is None and "404" in (full.error or "")
    article = reader.article(article_id)
    assert article is not None
    body = reader.body(article)
    assert body.source is BodySource.FEED and "came ashore" in body.markdown


async def test_offline_everything_cached_still_reads(
    reader: Reader, http_server: LoopbackServer, tmp_path: Path
) -> None:
    article_id = await subscribe_teaser(reader, http_server)
    await reader.prefetch_full_texts()
    http_server.stop()
    summary = await reader.refresh()
    assert summary.all_failed and (summary.outcomes[0].reason or "").startswith("offline")
    out = io.StringIO()
    assert main(["--db", str(reader.store.path), "show", str(article_id)], out=out) == 0
    text = out.getvalue()
    assert "full text from the web page" in text and "What happens next" in text
    assert reader.store.count_articles(ArticleQuery()) == 1


def test_show_fetches_the_page_of_a_teaser(http_server: LoopbackServer, tmp_path: Path) -> None:
    http_server.add("/story", article_page(), content_type="text/html")
    http_server.add("/feed.xml", teaser_feed(http_server.url("/story")))
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "add", http_server.url("/feed.xml")], out=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["--db", db, "show", "1"], out=out) == 0
    assert "twenty-four fibre pairs" in out.getvalue()
    assert "by Mara Quill" not in out.getvalue() or "Harbour Gazette" in out.getvalue()


def test_refresh_full_text_reports_what_it_saved(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    http_server.add("/story", article_page(), content_type="text/html")
    http_server.add("/feed.xml", teaser_feed(http_server.url("/story")))
    db = str(tmp_path / "cli.db")
    main(["--db", db, "add", http_server.url("/feed.xml")], out=io.StringIO())
    out = io.StringIO()
    assert main(["--db", db, "refresh", "--full-text"], out=out) == 0
    assert "full text: 1 page saved for offline reading, 0 failed" in out.getvalue()


async def test_config_full_text_applies_to_feeds_left_on_auto(
    reader: Reader, http_server: LoopbackServer
) -> None:
    from dataclasses import replace

    article_id = await subscribe_teaser(reader, http_server)
    article = reader.article(article_id)
    assert article is not None
    reader.config = replace(reader.config, full_text=FullTextMode.NEVER)
    assert not reader.wants_full_text(article)
    reader.store.update_feed(article.feed_id, full_text=FullTextMode.ALWAYS)
    assert reader.wants_full_text(article)  # the feed's own choice wins


async def test_pages_fetched_to_read_are_in_the_history(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    """What the app fetches while the reader reads counts in history and stats, as one
    "reading" row for the session (a refresh's rows count only what refreshes fetch)."""
    reader = make_reader(db_path=tmp_path / "tuireader.db")
    article_id = await subscribe_teaser(reader, http_server)
    full = await reader.fetch_full_text(article_id)
    assert full.markdown is not None and full.bytes_downloaded > 0
    reader.close()
    out = io.StringIO()
    assert main(["--db", str(tmp_path / "tuireader.db"), "history"], out=out) == 0
    [reading] = [line for line in out.getvalue().splitlines() if " reading " in line]
    assert "1 download," in reading and "0 failed" in reading
    assert "did not finish" not in reading
