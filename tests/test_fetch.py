"""The fetch layer against a real HTTP server on 127.0.0.1."""

# The http_server fixture is imported here until conftest.py imports it for every test module;
# test arguments of the same name would otherwise be flagged as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import email.utils
import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable

import brotli
import pytest

from loopback import (
    LoopbackServer,
    Request,
    Response,
    brotli_response,
    close_mid_body,
    drip,
    gzip_bomb,
    gzip_response,
    http_server,  # noqa: F401
    oversized,
    status_with_retry_after,
)
from tuireader import __version__
from tuireader.fetch import DEFAULT_USER_AGENT, Fetcher, FetchStatus, parse_retry_after

FEED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(connect_timeout=2, read_timeout=2, deadline=5) as fetcher:
        yield fetcher


# --- success and conditional GET -------------------------------------------------------------


async def test_ok_returns_body_validators_and_sends_identity(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed.xml", FEED, etag='"v1"', last_modified=LAST_MODIFIED)
    url = http_server.url("/feed.xml")

    result = await fetcher.fetch(url)

    assert result.status is FetchStatus.OK
    assert (result.body, result.http_status) == (FEED, 200)
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)
    assert result.content_type == "application/rss+xml"
    assert result.url == result.final_url == url
    assert result.permanent_url is None
    assert result.reason is None
    assert len(FEED) < result.bytes_downloaded < len(FEED) + 500
    _method, _path, headers = http_server.requests[0]
    assert headers["user-agent"] == DEFAULT_USER_AGENT
    assert f"tuireader/{__version__}" in DEFAULT_USER_AGENT
    assert headers["accept-encoding"] == "gzip, deflate, br"
    assert "application/rss+xml" in headers["accept"]
    assert "if-none-match" not in headers


async def test_etag_match_is_not_modified_with_empty_body(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed.xml", FEED, etag='"v1"')

    result = await fetcher.fetch(http_server.url("/feed.xml"), etag='"v1"')

    assert result.status is FetchStatus.NOT_MODIFIED
    assert (result.body, result.http_status, result.etag) == (b"", 304, '"v1"')
    assert http_server.requests[0][2]["if-none-match"] == '"v1"'


async def test_last_modified_match_is_not_modified(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed.xml", FEED, last_modified=LAST_MODIFIED)

    result = await fetcher.fetch(http_server.url("/feed.xml"), last_modified=LAST_MODIFIED)

    assert result.status is FetchStatus.NOT_MODIFIED
    assert result.body == b""
    assert result.last_modified == LAST_MODIFIED
    assert http_server.requests[0][2]["if-modified-since"] == LAST_MODIFIED


async def test_stale_etag_gets_the_new_body(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.add("/feed.xml", FEED, etag='"v2"')

    result = await fetcher.fetch(http_server.url("/feed.xml"), etag='"v1"')

    assert result.status is FetchStatus.OK
    assert (result.body, result.etag) == (FEED, '"v2"')


async def test_unsendable_stored_etag_is_dropped_not_fatal(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed.xml", FEED, etag='"v1"')

    result = await fetcher.fetch(http_server.url("/feed.xml"), etag='"caf\u00e9"\r\nX: y')

    assert result.status is FetchStatus.OK
    assert "if-none-match" not in http_server.requests[0][2]


async def test_connections_are_kept_alive(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.add("/feed.xml", FEED)

    for _ in range(3):
        assert (await fetcher.fetch(http_server.url("/feed.xml"))).ok

    assert http_server.connections_accepted == 1


# --- redirects ------------------------------------------------------------------------------


async def test_all_permanent_redirects_set_permanent_url(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.redirect("/old", "/older", status=301)
    http_server.redirect("/older", http_server.url("/feed.xml"), status=308)
    http_server.add("/feed.xml", FEED)

    result = await fetcher.fetch(http_server.url("/old"))

    assert result.status is FetchStatus.OK
    assert result.body == FEED
    assert result.url == http_server.url("/old")
    assert result.final_url == result.permanent_url == http_server.url("/feed.xml")


async def test_a_temporary_hop_leaves_permanent_url_unset(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.redirect("/old", "/moved", status=301)
    http_server.redirect("/moved", "/feed.xml", status=302)
    http_server.add("/feed.xml", FEED)

    result = await fetcher.fetch(http_server.url("/old"))

    assert result.status is FetchStatus.OK
    assert result.final_url == http_server.url("/feed.xml")
    assert result.permanent_url is None


async def test_redirect_loop_fails(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")

    result = await fetcher.fetch(http_server.url("/a"))

    assert result.status is FetchStatus.FAILED
    assert result.reason == "redirect loop"
    assert http_server.paths_requested() == ["/a", "/b"]


async def test_too_many_redirects_fails(http_server: LoopbackServer) -> None:
    for i in range(4):
        http_server.redirect(f"/{i}", f"/{i + 1}", status=302)
    http_server.add("/4", FEED)

    async with Fetcher(max_redirects=3) as fetcher:
        result = await fetcher.fetch(http_server.url("/0"))

    assert result.status is FetchStatus.FAILED
    assert result.reason == "too many redirects"
    assert len(http_server.requests) == 4


async def test_redirect_to_file_scheme_is_refused(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.redirect("/feed.xml", "file:///etc/passwd")

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.FAILED
    assert result.reason == "redirect to unsupported scheme file:"
    assert result.body == b""


# --- error statuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
async def test_error_status_fails_with_status_line(
    http_server: LoopbackServer, fetcher: Fetcher, status: int, reason: str
) -> None:
    http_server.add("/feed.xml", b"oops", status=status, content_type="text/plain")

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.FAILED
    assert (result.http_status, result.reason, result.body) == (status, reason, b"")
    assert result.retry_after is None


async def test_410_is_gone(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.add("/feed.xml", b"", status=410)

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.GONE
    assert (result.http_status, result.reason) == (410, "HTTP 410 Gone")


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_in_seconds(
    http_server: LoopbackServer, fetcher: Fetcher, status: int
) -> None:
    http_server.add_handler("/feed.xml", status_with_retry_after(status, "120"))

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.FAILED
    assert result.http_status == status
    assert result.retry_after == 120.0
    assert result.reason is not None and result.reason.startswith(f"HTTP {status} ")


async def test_retry_after_as_http_date(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    when = email.utils.formatdate(time.time() + 300, usegmt=True)
    http_server.add_handler("/feed.xml", status_with_retry_after(429, when))

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.FAILED
    assert result.retry_after is not None
    assert 290 < result.retry_after <= 300


async def test_503_without_retry_after(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.add_handler("/feed.xml", status_with_retry_after(503, None))

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert (result.status, result.reason) == (FetchStatus.FAILED, "HTTP 503 Service Unavailable")
    assert result.retry_after is None


def test_parse_retry_after_forms() -> None:
    now = 1_445_412_480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


# --- misbehaving servers --------------------------------------------------------------------


async def test_drip_server_is_cut_off_by_the_deadline(http_server: LoopbackServer) -> None:
    # Every byte arrives well within the read timeout: only the overall deadline can stop it.
    http_server.add_handler("/feed.xml", drip(FEED, interval=0.1))

    async with Fetcher(read_timeout=5, deadline=0.5) as fetcher:
        started = time.monotonic()
        result = await fetcher.fetch(http_server.url("/feed.xml"))
        elapsed = time.monotonic() - started

    assert result.status is FetchStatus.FAILED
    assert result.reason == "timed out after 0.5 s"
    assert elapsed < 5  # far less than the 8 s the drip needs, and than the read timeout
    assert result.bytes_downloaded > 0


async def test_close_mid_body_fails(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.add_handler("/feed.xml", close_mid_body(FEED * 10))

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.FAILED
    assert result.reason == "connection closed mid-body"
    assert result.body == b""


async def test_declared_oversized_body_is_refused(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add_handler("/feed.xml", oversized(2 * 2**20))

    result = await fetcher.fetch(http_server.url("/feed.xml"), max_bytes=2**20)

    assert result.status is FetchStatus.FAILED
    assert result.reason == "response larger than 1 MB"
    assert result.bytes_downloaded < 1000  # refused on Content-Length alone


async def test_undeclared_oversized_body_stops_at_the_cap(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add_handler("/feed.xml", oversized(8 * 2**20, declare_length=False))

    result = await fetcher.fetch(http_server.url("/feed.xml"), max_bytes=2**20)

    assert result.status is FetchStatus.FAILED
    assert result.reason == "response larger than 1 MB"
    assert 2**20 < result.bytes_downloaded < 2 * 2**20


async def test_default_cap_is_10_mb(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.add_handler("/feed.xml", oversized(10 * 2**20 + 1, declare_length=False))

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.reason == "response larger than 10 MB"


async def test_gzip_bomb_stops_at_the_cap_in_bounded_memory(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add_handler("/feed.xml", gzip_bomb(50 * 2**20))

    tracemalloc.start()
    try:
        result = await fetcher.fetch(http_server.url("/feed.xml"), max_bytes=2**20)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.status is FetchStatus.FAILED
    assert result.reason == "response larger than 1 MB"
    assert result.bytes_downloaded < 100_000  # the bomb is ~50 KB on the wire
    assert peak < 8 * 2**20  # decoding all 50 MB would need at least 50 MB


async def test_brotli_bomb_stops_at_the_cap_in_bounded_memory(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    encoded = brotli.compress(bytes(50 * 2**20), quality=1)
    http_server.add_handler(
        "/feed.xml", lambda _r: Response(encoded, headers={"Content-Encoding": "br"})
    )

    tracemalloc.start()
    try:
        result = await fetcher.fetch(http_server.url("/feed.xml"), max_bytes=2**20)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert result.status is FetchStatus.FAILED
    assert result.reason == "response larger than 1 MB"
    assert peak < 8 * 2**20


async def test_gzip_body_is_decoded(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    body = FEED * 100
    http_server.add_handler("/feed.xml", gzip_response(body))

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.OK
    assert result.body == body
    assert result.bytes_downloaded < len(body)  # counted on the wire, compressed


async def test_brotli_body_is_decoded(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    body = FEED * 100
    http_server.add_handler("/feed.xml", brotli_response(body))

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.OK
    assert result.body == body


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
async def test_deflate_body_is_decoded(
    http_server: LoopbackServer, fetcher: Fetcher, wbits: int
) -> None:
    compressor = zlib.compressobj(wbits=wbits)
    encoded = compressor.compress(FEED) + compressor.flush()
    http_server.add_handler(
        "/feed.xml", lambda _r: Response(encoded, headers={"Content-Encoding": "deflate"})
    )

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.OK
    assert result.body == FEED


async def test_corrupt_gzip_fails_cleanly(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    broken = gzip.compress(FEED)[:10] + b"not deflate at all"
    http_server.add_handler(
        "/feed.xml", lambda _r: Response(broken, headers={"Content-Encoding": "gzip"})
    )

    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.FAILED
    assert result.reason == "could not decode the gzip body"


# --- concurrency ----------------------------------------------------------------------------


def _gate(release: threading.Semaphore) -> Callable[[Request], Response]:
    def handler(_request: Request) -> Response:
        release.acquire(timeout=10)
        return Response(FEED)

    return handler


async def _run_gated(server: LoopbackServer, fetcher: Fetcher, requests: int, limit: int) -> None:
    """Start ``requests`` fetches; let one through each time ``limit`` are held in the server."""
    release = threading.Semaphore(0)
    server.add_handler("/feed.xml", _gate(release))
    tasks = [asyncio.create_task(fetcher.fetch(server.url("/feed.xml"))) for _ in range(requests)]
    for remaining in range(requests, 0, -1):
        assert await asyncio.to_thread(server.wait_for_in_flight, min(limit, remaining))
        release.release()
    results = await asyncio.gather(*tasks)
    assert all(r.ok for r in results)


async def test_per_host_limit_caps_concurrent_requests(http_server: LoopbackServer) -> None:
    async with Fetcher(per_host=2, max_connections=16) as fetcher:
        await _run_gated(http_server, fetcher, requests=6, limit=2)

    assert http_server.max_in_flight == 2


async def test_global_limit_caps_concurrent_requests(http_server: LoopbackServer) -> None:
    async with Fetcher(per_host=8, max_connections=3) as fetcher:
        await _run_gated(http_server, fetcher, requests=7, limit=3)

    assert http_server.max_in_flight == 3


# --- offline and bad input ------------------------------------------------------------------


async def test_a_cookie_set_on_a_redirect_is_sent_to_its_target(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    """Cookie walls (set a cookie, then redirect) work: the fetcher's own transport and
    hand-followed redirects keep httpx's cookie jar in the loop."""
    http_server.add_handler(
        "/start",
        lambda request: Response(
            b"", status=302, headers={"Location": "/feed.xml", "Set-Cookie": "wall=passed; Path=/"}
        ),
    )
    http_server.add("/feed.xml", FEED)

    result = await fetcher.fetch(http_server.url("/start"))

    assert result.ok
    cookies = [headers.get("cookie") for _, _, headers in http_server.requests]
    assert cookies == [None, "wall=passed"]


async def test_a_proxy_from_the_environment_is_used(
    http_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetcher's own transport must not turn off httpx's HTTP_PROXY support."""
    http_server.add("http://feeds.invalid/feed.xml", FEED)
    monkeypatch.setenv("HTTP_PROXY", http_server.url())
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with Fetcher(connect_timeout=2, read_timeout=2, deadline=5) as fetcher:
        result = await fetcher.fetch("http://feeds.invalid/feed.xml")

    assert result.ok
    assert http_server.paths_requested() == ["http://feeds.invalid/feed.xml"]


async def test_a_proxy_for_all_schemes_from_the_environment_is_used(
    http_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ALL_PROXY (httpx mounts it at "all://") must not be replaced by the fetcher's transport."""
    http_server.add("http://feeds.invalid/feed.xml", FEED)
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", http_server.url())
    async with Fetcher(connect_timeout=2, read_timeout=2, deadline=5) as fetcher:
        result = await fetcher.fetch("http://feeds.invalid/feed.xml")

    assert result.ok
    assert http_server.paths_requested() == ["http://feeds.invalid/feed.xml"]


async def test_the_default_transport_has_the_cheaper_idle_check() -> None:
    from tuireader.fetchpool import _Backend

    async with Fetcher() as fetcher:
        pool = fetcher._client._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, _Backend)


async def test_stopped_server_is_offline(http_server: LoopbackServer, fetcher: Fetcher) -> None:
    http_server.add("/feed.xml", FEED)
    assert (await fetcher.fetch(http_server.url("/feed.xml"))).ok  # a pooled keep-alive conn

    http_server.stop()
    result = await fetcher.fetch(http_server.url("/feed.xml"))

    assert result.status is FetchStatus.FAILED
    assert result.reason == "offline (connection refused)"


async def test_unknown_host_is_offline(fetcher: Fetcher) -> None:
    result = await fetcher.fetch("http://no-such-host.invalid/feed.xml")

    assert result.status is FetchStatus.FAILED
    assert result.reason is not None and result.reason.startswith("offline")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/feed.xml", "unsupported scheme ftp:"),
        ("file:///etc/passwd", "unsupported scheme file:"),
        ("example.com/feed.xml", "invalid URL (no scheme: expected http:// or https://)"),
        ("http://", "invalid URL (no host)"),
    ],
)
async def test_bad_urls_fail_without_a_request(fetcher: Fetcher, url: str, reason: str) -> None:
    result = await fetcher.fetch(url)

    assert result.status is FetchStatus.FAILED
    assert (result.url, result.reason) == (url, reason)


async def test_not_modified_and_redirects_keep_the_connection_alive(
    http_server: LoopbackServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed.xml", b"<rss/>", etag='"v1"')
    http_server.redirect("/old.xml", "/feed.xml", status=302)
    for _ in range(3):
        result = await fetcher.fetch(http_server.url("/feed.xml"), etag='"v1"')
        assert result.status is FetchStatus.NOT_MODIFIED
    assert (await fetcher.fetch(http_server.url("/old.xml"))).status is FetchStatus.OK
    assert http_server.connections_accepted == 1
