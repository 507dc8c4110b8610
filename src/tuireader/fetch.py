"""Fetch feeds and pages over HTTP: one shared client, bounded in time, size and concurrency.

Every outcome is a :class:`FetchResult` value; network trouble never raises to the caller.

Limits, and why they are enforced here rather than by httpx:

* an overall deadline per fetch (``asyncio.timeout``): httpx's read timeout is per read, so a
  server dripping one byte a second would otherwise hold a fetch forever;
* a body cap on the *decoded* bytes, enforced while streaming with our own bounded
  decompressors: httpx decodes each network chunk in full, and 64 KB of gzip can expand to
  64 MB in one call;
* redirects are followed by hand, so each hop is checked (http/https only, loops, count) and
  ``permanent_url`` is known;
* a global and a per-host concurrency limit (httpx pools have no per-host limit).
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import functools
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from http import HTTPStatus
from types import TracebackType
from urllib.request import getproxies

import brotli
import httpx

from tuireader import __version__
from tuireader.fetchpool import use_cheaper_check
from tuireader.humanize import format_bytes
from tuireader.sanitize import clean_line
from tuireader.tls import CertificateError, Certificates

DEFAULT_USER_AGENT = f"tuireader/{__version__} (+https://github.com/tuireader/tuireader)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ACCEPT_ENCODING = "gzip, deflate, br"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_SCHEMES = frozenset({"http", "https"})
_OFFLINE_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})


class FetchStatus(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not modified"
    GONE = "gone"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch produced.

    ``bytes_downloaded`` counts what crossed the wire for every hop: the status line and
    headers as received (re-measured from the parsed headers, so approximate) plus the body
    bytes before decompression.
    """

    status: FetchStatus
    url: str
    final_url: str
    #: The final URL when every redirect hop was permanent (301/308): store it instead.
    permanent_url: str | None = None
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None
    bytes_downloaded: int = 0
    #: Seconds to wait before asking again, from Retry-After on 429/503.
    retry_after: float | None = None
    #: One short line for FAILED and GONE, fit to show to users.
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is FetchStatus.OK


class _Failed(Exception):
    """Unwinds one fetch to a FAILED (or GONE) result; never leaves this module."""

    def __init__(
        self,
        reason: str,
        *,
        status: FetchStatus = FetchStatus.FAILED,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class _Redirect:
    status: int
    location: str


@dataclass(frozen=True, slots=True)
class _Final:
    """The last hop's response, before the URLs and byte count are added."""

    status: FetchStatus
    http_status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class _Progress:
    """Where a fetch has got to; read when it fails part-way."""

    final_url: str
    wire_bytes: int = 0


@functools.cache
def certificates() -> Certificates:
    """httpx's default certificate checking, built once per process; the CA bundle (35-60 ms
    of CPU, which every Fetcher used to pay again) is read in a thread (tuireader.tls)."""
    return Certificates()


def tls_context() -> ssl.SSLContext:
    return certificates().context


class Fetcher:
    """Owns one ``httpx.AsyncClient`` (keep-alive pool) and the concurrency limits.

    Use as ``async with Fetcher() as fetcher: result = await fetcher.fetch(url)``.
    The deadline covers the network work of a whole fetch, redirects included; time spent
    waiting for a concurrency slot does not count.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        max_connections: int = 16,
        per_host: int = 4,
        connect_timeout: float = 10,
        read_timeout: float = 20,
        deadline: float = 60,
        max_bytes: int = 10 * 2**20,
        max_redirects: int = 5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._deadline = deadline
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._per_host = per_host
        self._global_slots = asyncio.Semaphore(max_connections)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._certificates = certificates()
        # Through a proxy even an http:// feed may make a TLS connection (to the proxy).
        self._proxied = any(scheme != "no" for scheme in getproxies())
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=deadline
            ),
            limits=limits,
            follow_redirects=False,
            transport=transport,
            verify=self._certificates.context,
            event_hooks={"response": [_refuse_unusable_redirect]},
        )
        if transport is None:
            # httpx's own default transport, given the cheaper idle check in place: neither a
            # transport= (which turns off proxies from the environment) nor an "all://" mount
            # (which would replace ALL_PROXY's, mounted at that same pattern).
            use_cheaper_check(getattr(self._client, "_transport", None))

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url``, conditional when the last fetch's ``etag``/``last_modified`` are given."""
        progress = _Progress(final_url=url)
        try:
            return await self._fetch(
                url,
                progress,
                etag=_header_safe(etag),
                last_modified=_header_safe(last_modified),
                accept=accept,
                cap=self._max_bytes if max_bytes is None else max_bytes,
            )
        except _Failed as failure:
            return FetchResult(
                status=failure.status,
                url=url,
                final_url=progress.final_url,
                http_status=failure.http_status,
                bytes_downloaded=progress.wire_bytes,
                retry_after=failure.retry_after,
                reason=failure.reason,
            )

    # --- one fetch --------------------------------------------------------------------------

    async def _fetch(
        self,
        url: str,
        progress: _Progress,
        *,
        etag: str | None,
        last_modified: str | None,
        accept: str,
        cap: int,
    ) -> FetchResult:
        current = _parse_url(url)
        progress.final_url = str(current)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {str(current)}
        all_permanent = True
        hops = 0
        budget = self._deadline
        loop = asyncio.get_running_loop()
        while True:
            host = current.host.lower()
            if host not in self._host_slots:
                self._host_slots[host] = asyncio.Semaphore(self._per_host)
            # Host slot first: a task queued behind a busy host must not hold a global slot.
            async with self._host_slots[host], self._global_slots:
                started = loop.time()
                try:
                    async with asyncio.timeout(budget):
                        outcome = await self._exchange(current, headers, cap, progress)
                except TimeoutError:
                    raise _Failed(f"timed out after {self._deadline:g} s") from None
                budget -= loop.time() - started
            if isinstance(outcome, _Final):
                return FetchResult(
                    status=outcome.status,
                    url=url,
                    final_url=str(current),
                    permanent_url=str(current) if hops and all_permanent else None,
                    body=outcome.body,
                    content_type=outcome.content_type,
                    etag=outcome.etag,
                    last_modified=outcome.last_modified,
                    http_status=outcome.http_status,
                    bytes_downloaded=progress.wire_bytes,
                )
            hops += 1
            if hops > self._max_redirects:
                raise _Failed("too many redirects", http_status=outcome.status)
            current = _redirect_target(current, outcome)
            if str(current) in seen:
                raise _Failed("redirect loop", http_status=outcome.status)
            seen.add(str(current))
            all_permanent = all_permanent and outcome.status in _PERMANENT_REDIRECTS
            progress.final_url = str(current)

    async def _exchange(
        self, url: httpx.URL, headers: dict[str, str], cap: int, progress: _Progress
    ) -> _Final | _Redirect:
        """One request and its response: a final answer or a redirect to follow."""
        if url.scheme == "https" or self._proxied:
            try:
                await self._certificates.ready()
            except CertificateError as error:
                raise _Failed(str(error)) from None
        try:
            request = self._client.build_request("GET", url, headers=headers)
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise _Failed(self._network_reason(exc, mid_body=False)) from None
        except (httpx.InvalidURL, OSError, ValueError) as exc:
            # Not expected from httpx, but a refresh must never abort on one feed.
            raise _Failed(f"network error ({_short(exc)})") from None
        try:
            progress.wire_bytes += _head_size(response)
            return await self._interpret(response, headers, cap, progress)
        finally:
            await response.aclose()

    async def _interpret(
        self, response: httpx.Response, sent: dict[str, str], cap: int, progress: _Progress
    ) -> _Final | _Redirect:
        code = response.status_code
        if code in _REDIRECT_STATUSES:
            location = response.headers.get("location")
            if not location:
                raise _Failed(f"HTTP {code} redirect without a Location", http_status=code)
            await _drain(response, progress)
            return _Redirect(code, location)
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if code == 304:
            await _drain(response, progress)
            return _Final(
                FetchStatus.NOT_MODIFIED,
                http_status=code,
                etag=etag or sent.get("If-None-Match"),
                last_modified=last_modified or sent.get("If-Modified-Since"),
                content_type=response.headers.get("content-type"),
            )
        if code == 410:
            raise _Failed(_status_line(code), status=FetchStatus.GONE, http_status=code)
        if code in _RETRY_AFTER_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
            raise _Failed(_status_line(code), http_status=code, retry_after=retry_after)
        if not 200 <= code < 300:
            raise _Failed(_status_line(code), http_status=code)
        body = await self._read_body(response, cap, progress)
        return _Final(
            FetchStatus.OK,
            http_status=code,
            body=body,
            etag=etag,
            last_modified=last_modified,
            content_type=response.headers.get("content-type"),
        )

    async def _read_body(self, response: httpx.Response, cap: int, progress: _Progress) -> bytes:
        too_large = f"response larger than {format_bytes(cap)}"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Failed(too_large, http_status=response.status_code)
        decoder = _decoder_for(response.headers.get("content-encoding"))
        body = bytearray()
        wire = 0
        try:
            async for raw in response.aiter_raw():
                wire += len(raw)
                progress.wire_bytes += len(raw)
                body += decoder.decode(raw, cap - len(body) + 1)
                if wire > cap or len(body) > cap:
                    raise _Failed(too_large, http_status=response.status_code)
            body += decoder.flush(cap - len(body) + 1)
        except httpx.HTTPError as exc:
            raise _Failed(self._network_reason(exc, mid_body=True)) from None
        except OSError:
            raise _Failed("connection closed mid-body") from None
        except (zlib.error, brotli.error):
            raise _Failed(
                f"could not decode the {decoder.name} body", http_status=response.status_code
            ) from None
        if len(body) > cap:
            raise _Failed(too_large, http_status=response.status_code)
        return bytes(body)

    def _network_reason(self, exc: httpx.HTTPError, *, mid_body: bool) -> str:
        """One short line for a transport failure."""
        if isinstance(exc, httpx.ConnectTimeout):
            return f"timed out after {self._connect_timeout:g} s (connecting)"
        if isinstance(exc, httpx.ReadTimeout):
            return f"timed out after {self._read_timeout:g} s (no data)"
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out ({type(exc).__name__})"
        if isinstance(exc, httpx.ConnectError):
            return _connect_reason(exc)
        if mid_body and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return "connection closed mid-body"
        if isinstance(exc, httpx.RemoteProtocolError):
            if "without sending" in str(exc) or "disconnected" in str(exc).lower():
                return "connection closed before a response"
            return f"HTTP protocol error ({_short(exc)})"
        if isinstance(exc, httpx.ReadError):
            return "connection reset"
        return f"network error ({_short(exc)})"


# --- helpers ------------------------------------------------------------------------------


#: A redirect or 304 body up to this size is read so its connection can be reused.
_DRAIN_LIMIT = 64 * 1024


async def _drain(response: httpx.Response, progress: _Progress) -> None:
    """Read a short body to its end, so the keep-alive connection goes back to the pool.

    A response closed before its end closes its connection too: a warm refresh of all-304
    feeds would then open a new connection per feed. A long body is left unread.
    """
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        progress.wire_bytes += len(chunk)
        if read > _DRAIN_LIMIT:
            return


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _Failed(f"invalid URL ({_short(exc)})") from None
    if not parsed.scheme:
        raise _Failed("invalid URL (no scheme: expected http:// or https://)")
    if parsed.scheme not in _SCHEMES:
        raise _Failed(f"unsupported scheme {_short(parsed.scheme, 20)}:")
    if not parsed.host:
        raise _Failed("invalid URL (no host)")
    return parsed


def _redirect_target(current: httpx.URL, redirect: _Redirect) -> httpx.URL:
    try:
        target = current.join(redirect.location.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise _Failed("redirect to an invalid URL", http_status=redirect.status) from None
    if target.scheme not in _SCHEMES:
        scheme = _short(target.scheme, 20)
        raise _Failed(f"redirect to unsupported scheme {scheme}:", http_status=redirect.status)
    if not target.host:
        raise _Failed("redirect to a URL without a host", http_status=redirect.status)
    return target


async def _refuse_unusable_redirect(response: httpx.Response) -> None:
    """Check a redirect's Location before httpx does.

    Even with redirects off, httpx builds the next request from Location, and for a target
    without a host (``javascript:``, ``data:``, ``mailto:``) that raises InvalidURL, which
    would reach users as a puzzling "network error". Response hooks run first.
    """
    location = response.headers.get("location")
    if response.status_code in _REDIRECT_STATUSES and location:
        _redirect_target(response.request.url, _Redirect(response.status_code, location))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds from a Retry-After value: delta seconds or an HTTP date (``now`` is epoch time)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def _connect_reason(exc: httpx.ConnectError) -> str:
    causes = list(_causes(exc))
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return f"TLS error ({_short(exc)})"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "offline, or no such host (DNS lookup failed)"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "offline (connection refused)"
    if any(isinstance(c, OSError) and c.errno in _OFFLINE_ERRNOS for c in causes):
        return "offline (network unreachable)"
    return f"offline ({_short(exc)})"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and the members of any exception group."""
    stack: list[BaseException] = [exc]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _header_safe(value: str | None) -> str | None:
    """A stored validator fit to send back, or None (a bogus one only costs a full fetch)."""
    if value and value.isascii() and value.isprintable():
        return value
    return None


def _head_size(response: httpx.Response) -> int:
    status_line = len(b"HTTP/1.1 200 OK\r\n") + len(response.reason_phrase) - 2
    return status_line + 2 + sum(len(k) + len(v) + 4 for k, v in response.headers.raw)


def _status_line(code: int) -> str:
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def _short(value: object, limit: int = 80) -> str:
    text = clean_line(str(value)) or type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- bounded decompression ------------------------------------------------------------------


class _Decoder:
    """Decodes a body chunk by chunk, never producing more than ``limit`` bytes per call."""

    name = "identity"

    def decode(self, data: bytes, limit: int) -> bytes:
        return data[:limit]

    def flush(self, limit: int) -> bytes:
        return b""


class _ZlibDecoder(_Decoder):
    def __init__(self, name: str, wbits: int) -> None:
        self.name = name
        self._wbits = wbits
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data: bytes, limit: int) -> bytes:
        # When the output hits ``limit`` the rest of the input stays in unconsumed_tail; the
        # caller then stops because the body is over its cap, so the tail is never needed.
        if not self._started and self.name == "deflate":
            self._started = True
            try:
                return self._inflater.decompress(data, limit)
            except zlib.error:
                # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inflater.decompress(data, limit)

    def flush(self, limit: int) -> bytes:
        return self._inflater.flush()[:limit]


class _BrotliDecoder(_Decoder):
    name = "br"

    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes, limit: int) -> bytes:
        return bytes(self._decompressor.process(data, output_buffer_limit=limit))


def _decoder_for(content_encoding: str | None) -> _Decoder:
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return _Decoder()
    if encoding in ("gzip", "x-gzip"):
        return _ZlibDecoder("gzip", 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _ZlibDecoder("deflate", zlib.MAX_WBITS)
    if encoding == "br":
        return _BrotliDecoder()
    raise _Failed(f"unsupported Content-Encoding {_short(encoding, 30)}")
