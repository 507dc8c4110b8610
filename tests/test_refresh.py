"""Refreshing feeds over real HTTP into a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedgen import rss
from loopback import LoopbackServer, status_with_retry_after
from tuireader.core import Reader, SubscribeError, make_reader
from tuireader.models import OutcomeKind
from tuireader.store import ArticleQuery


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    return make_reader(db_path=tmp_path / "tuireader.db")


async def test_refresh_stores_new_articles_then_uses_a_conditional_get(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add(
        "/feed.xml", rss(items=3), etag='"v1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT"
    )
    feed = reader.store.add_feed(http_server.url("/feed.xml"))

    first = await reader.refresh()
    assert [(o.kind, o.new_articles) for o in first.outcomes] == [(OutcomeKind.UPDATED, 3)]
    assert first.bytes_downloaded > 0
    assert reader.store.get_feed(feed.id).title == "Harbour Gazette"

    second = await reader.refresh()
    assert [o.kind for o in second.outcomes] == [OutcomeKind.NOT_MODIFIED]
    _, _, headers = http_server.requests[-1]
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert reader.store.count_articles(ArticleQuery()) == 3


async def test_identical_body_without_validators_is_not_parsed_again(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/feed.xml", rss(items=2))
    reader.store.add_feed(http_server.url("/feed.xml"))
    await reader.refresh()
    again = await reader.refresh()
    assert [o.kind for o in again.outcomes] == [OutcomeKind.NOT_MODIFIED]


async def test_changed_feed_adds_only_the_new_articles_and_keeps_state(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/feed.xml", rss(items=2))
    reader.store.add_feed(http_server.url("/feed.xml"))
    await reader.refresh()
    ids = reader.store.article_ids(ArticleQuery())
    reader.store.set_starred(ids[0], True)
    http_server.add("/feed.xml", rss(items=3))
    summary = await reader.refresh()
    assert summary.new_articles == 1
    article = reader.store.get_article(ids[0])
    assert article is not None and article.starred


async def test_one_failing_feed_does_not_stop_the_others(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/good.xml", rss(items=1))
    http_server.add("/html", b"<html><body>hello</body></html>", content_type="text/html")
    http_server.add_handler("/busy", status_with_retry_after(503, "120"))
    good = reader.store.add_feed(http_server.url("/good.xml"))
    html = reader.store.add_feed(http_server.url("/html"))
    busy = reader.store.add_feed(http_server.url("/busy"))
    missing = reader.store.add_feed(http_server.url("/missing"))

    summary = await reader.refresh()
    kinds = {o.feed_id: o.kind for o in summary.outcomes}
    assert kinds[good.id] is OutcomeKind.UPDATED
    assert {kinds[html.id], kinds[busy.id], kinds[missing.id]} == {OutcomeKind.FAILED}
    assert not summary.all_failed
    assert "404" in (reader.store.get_feed(missing.id).last_error or "")
    assert "not a feed" in (reader.store.get_feed(html.id).last_error or "")
    busy_feed = reader.store.get_feed(busy.id)
    assert busy_feed.consecutive_failures == 1 and busy_feed.next_fetch_after is not None


async def test_gone_feed_is_marked_and_skipped_afterwards(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/gone", b"", status=410)
    feed = reader.store.add_feed(http_server.url("/gone"))
    await reader.refresh()
    assert reader.store.get_feed(feed.id).gone
    assert (await reader.refresh()).outcomes == ()


async def test_permanent_redirect_updates_the_stored_url(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/new.xml", rss(items=1))
    http_server.redirect("/old.xml", http_server.url("/new.xml"), status=301)
    feed = reader.store.add_feed(http_server.url("/old.xml"))
    await reader.refresh()
    assert reader.store.get_feed(feed.id).url == http_server.url("/new.xml")


async def test_offline_refresh_fails_each_feed_and_keeps_everything(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/feed.xml", rss(items=2))
    feed = reader.store.add_feed(http_server.url("/feed.xml"))
    await reader.refresh()
    http_server.stop()
    summary = await reader.refresh()
    assert summary.all_failed
    assert (summary.outcomes[0].reason or "").startswith("offline")
    assert reader.store.count_articles(ArticleQuery(feed_id=feed.id)) == 2


async def test_many_feeds_parse_in_worker_processes(
    reader: Reader, http_server: LoopbackServer
) -> None:
    for n in range(10):
        http_server.add(
            f"/f{n}.xml", rss(title=f"Feed {n}", items=5, link=f"https://e{n}.example.org/")
        )
        reader.store.add_feed(http_server.url(f"/f{n}.xml"))
    summary = await reader.refresh()
    assert summary.count(OutcomeKind.UPDATED) == 10
    assert summary.new_articles == 50


async def test_subscribe_discovers_the_feed_of_a_page(
    reader: Reader, http_server: LoopbackServer
) -> None:
    page = (
        b"<html><head><title>Gazette</title>"
        b'<link rel="alternate" type="application/rss+xml" title="Gazette" href="/feed.xml">'
        b'<link rel="alternate" type="application/atom+xml" title="Comments" href="/comments.xml">'
        b"</head><body>Hi</body></html>"
    )
    http_server.add("/", page, content_type="text/html; charset=utf-8")
    http_server.add("/feed.xml", rss(items=4))
    result = await reader.subscribe(http_server.url("/"), folder="News")
    assert result.feed.url == http_server.url("/feed.xml")
    assert result.feed.folder == "News"
    assert result.new_articles == 4
    assert [link.url for link in result.alternatives] == [http_server.url("/comments.xml")]


async def test_subscribe_tries_common_paths_when_the_page_links_no_feed(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/", b"<html><body>no links</body></html>", content_type="text/html")
    http_server.add("/feed", rss(items=1))
    result = await reader.subscribe(http_server.url("/"))
    assert result.feed.url == http_server.url("/feed")


async def test_subscribe_reports_a_page_without_feeds(
    reader: Reader, http_server: LoopbackServer
) -> None:
    http_server.add("/", b"<html><body>nothing</body></html>", content_type="text/html")
    with pytest.raises(SubscribeError, match="no feed found"):
        await reader.subscribe(http_server.url("/"))


@pytest.mark.parametrize("text", ["not a url", "ftp://example.org/feed", "https://", "feedless"])
async def test_subscribe_refuses_what_is_not_a_web_address(reader: Reader, text: str) -> None:
    with pytest.raises(SubscribeError, match="is not a web address"):
        await reader.subscribe(text)


def test_subscribe_accepts_what_people_type() -> None:
    from tuireader.core import normalise_subscription_url

    assert normalise_subscription_url(" example.org/feed ") == "https://example.org/feed"
    assert normalise_subscription_url("feed://example.org/rss") == "https://example.org/rss"
    assert normalise_subscription_url("http://127.0.0.1:8080/f") == "http://127.0.0.1:8080/f"


async def test_the_http_client_is_built_off_the_event_loop(
    reader: Reader, http_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing httpx and loading the CA bundle hold the GIL for 0.1-0.3 s: in the app,
    on Textual's event loop, that would freeze the screen at every refresh."""
    import threading

    from tuireader import fetch

    built_on: list[threading.Thread] = []
    build = fetch.Fetcher.__init__

    def recording_build(self: fetch.Fetcher, *args: object, **kwargs: object) -> None:
        built_on.append(threading.current_thread())
        build(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fetch.Fetcher, "__init__", recording_build)
    http_server.add("/feed.xml", rss(items=1))
    reader.store.add_feed(http_server.url("/feed.xml"))
    await reader.refresh()
    assert built_on and threading.current_thread() not in built_on
    assert fetch.tls_context() is fetch.tls_context()  # the CA bundle is loaded once
