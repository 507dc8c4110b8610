"""A real HTTP/1.1 server on 127.0.0.1 for tests: static routes, redirects and misbehaving handlers.

Use the ``http_server`` fixture::

    def test_x(http_server: LoopbackServer) -> None:
        http_server.add("/feed.xml", b"<rss/>", etag='"v1"')
        url = http_server.url("/feed.xml")

Every ordinary response is sent as status line + headers + body in ONE ``sendall`` with
TCP_NODELAY set, so keep-alive requests do not each wait ~40 ms for a delayed ACK.
Connections are kept alive (HTTP/1.1). ``stop()`` closes the listening socket and every open
connection and joins the handler threads, so later requests fail with a connection error.

A handler is ``fn(request) -> Response | None``. Returning a ``Response`` sends it in one write;
returning ``None`` means the handler wrote the raw response itself with ``request.write``
(drip, close mid-body, ...) and the connection is closed afterwards. Handlers that wait must
wait with ``request.wait(seconds)`` (or on an Event the test sets) so ``stop()`` interrupts them.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import http
import re
import socket
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli
import pytest

__all__ = [
    "LoopbackServer",
    "Request",
    "Response",
    "brotli_response",
    "close_mid_body",
    "drip",
    "gzip_bomb",
    "gzip_response",
    "http_server",
    "oversized",
    "ranged",
    "status_with_retry_after",
]

RSS = "application/rss+xml"


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the server read it. Header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    _connection: socket.socket = field(repr=False)
    _stopping: threading.Event = field(repr=False)

    def write(self, data: bytes) -> None:
        """Send raw bytes on the connection (for handlers that build their own response)."""
        self._connection.sendall(data)

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True when the server is stopping (the handler should return)."""
        return self._stopping.wait(seconds)


@dataclass(slots=True)
class Response:
    """A response sent in one write. ``Content-Length`` is added unless ``close_delimited``."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: No Content-Length: the body ends when the server closes the connection.
    close_delimited: bool = False

    def serialize(self, *, head: bool = False) -> bytes:
        try:
            phrase = http.HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        headers = dict(self.headers)
        lower = {k.lower() for k in headers}
        if self.close_delimited:
            headers["Connection"] = "close"
        elif "content-length" not in lower and self.status not in (204, 304):
            headers["Content-Length"] = str(len(self.body))
        lines = [f"HTTP/1.1 {self.status} {phrase}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if head or self.status in (204, 304):
            return head_bytes
        return head_bytes + self.body


Handler = Callable[[Request], "Response | None"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: LoopbackServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up early (the fetcher cutting off an oversized body) is expected;
        # anything else (a broken test handler) is printed as usual.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection never pins a thread for long
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._track(self.connection, threading.current_thread())

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        owner = self.server.owner
        request = Request(self.command, self.path, headers, body, self.connection, owner._stopping)
        response = owner._handle(request)
        if response is None:
            self.close_connection = True
            return
        if response.close_delimited:
            self.close_connection = True
        self.connection.sendall(response.serialize(head=self.command == "HEAD"))

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _dispatch


class LoopbackServer:
    """A started server; see the module docstring."""

    def __init__(self) -> None:
        self._routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._in_flight = 0
        self._in_flight_changed = threading.Condition(self._lock)
        #: (method, path, headers) of every request seen, in arrival order.
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        #: Most requests ever inside a handler at the same time.
        self.max_in_flight = 0
        #: TCP connections accepted so far (keep-alive reuses them).
        self.connections_accepted = 0
        #: Answers requests no route matches (paths with varying query strings), if set.
        self.fallback: Handler | None = None
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self._serve_thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._serve_thread.start()
        self._stopped = False

    # --- routes -------------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def add(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = RSS,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """A static response; a conditional GET whose validators match gets a 304."""
        response_headers = {"Content-Type": content_type}
        if etag is not None:
            response_headers["ETag"] = etag
        if last_modified is not None:
            response_headers["Last-Modified"] = last_modified
        response_headers.update(headers or {})

        def handler(request: Request) -> Response:
            if _not_modified(request.headers, etag, last_modified):
                validators = {k: v for k, v in response_headers.items() if k != "Content-Type"}
                return Response(status=304, headers=validators)
            return Response(body, status=status, headers=dict(response_headers))

        self.add_handler(path, handler)

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        """``to`` is sent as the Location as given (a path, an absolute URL, any scheme)."""
        self.add_handler(path, lambda _r: Response(status=status, headers={"Location": to}))

    def add_handler(self, path: str, fn: Handler) -> None:
        """``path`` matches the request path exactly, query string included."""
        with self._lock:
            self._routes[path] = fn

    # --- observation ----------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def wait_for_in_flight(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least ``count`` requests are inside handlers (call via to_thread)."""
        with self._in_flight_changed:
            return self._in_flight_changed.wait_for(lambda: self._in_flight >= count, timeout)

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [path for _method, path, _headers in self.requests]

    # --- lifecycle ------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop accepting, drop every open connection, join the handler threads. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._serve_thread.join(timeout=5)
        with self._lock:
            connections = list(self._connections)
            threads = list(self._threads)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals ------------------------------------------------------------------------

    def _track(self, conn: socket.socket, thread: threading.Thread) -> None:
        with self._lock:
            self._connections.add(conn)
            self.connections_accepted += 1
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _handle(self, request: Request) -> Response | None:
        with self._lock:
            self.requests.append((request.method, request.path, dict(request.headers)))
            handler = self._routes.get(request.path) or self.fallback
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            self._in_flight_changed.notify_all()
        try:
            if handler is None:
                return Response(b"not found", status=404, headers={"Content-Type": "text/plain"})
            return handler(request)
        finally:
            # Counted down before the response is written, so a client that starts its next
            # request as soon as it has this response is never seen overlapping it.
            with self._lock:
                self._in_flight -= 1
                self._in_flight_changed.notify_all()


def _not_modified(headers: dict[str, str], etag: str | None, last_modified: str | None) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None and etag is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is not None and last_modified is not None:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
            modified = email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return if_modified_since == last_modified
        return modified <= since
    return False


# --- ready-made misbehaving handlers ----------------------------------------------------------


def drip(
    body: bytes,
    *,
    interval: float = 1.0,
    content_type: str = RSS,
    headers: dict[str, str] | None = None,
) -> Handler:
    """Send the headers at once, then one body byte every ``interval`` seconds."""

    def handler(request: Request) -> None:
        head = Response(b"", headers={"Content-Type": content_type, **(headers or {})})
        head.headers["Content-Length"] = str(len(body))
        request.write(head.serialize())
        for i in range(len(body)):
            if request.wait(interval):
                return
            try:
                request.write(body[i : i + 1])
            except OSError:
                return  # the client gave up

    return handler


def close_mid_body(body: bytes, *, sent: int | None = None, content_type: str = RSS) -> Handler:
    """Declare ``len(body)`` in Content-Length, send only ``sent`` bytes (default half), close."""
    cut = len(body) // 2 if sent is None else sent

    def handler(request: Request) -> None:
        response = Response(body[:cut], headers={"Content-Type": content_type})
        response.headers["Content-Length"] = str(len(body))
        request.write(response.serialize())

    return handler


def gzip_response(body: bytes, *, content_type: str = RSS) -> Handler:
    """The body gzip-encoded, with ``Content-Encoding: gzip``."""
    encoded = gzip.compress(body)
    headers = {"Content-Type": content_type, "Content-Encoding": "gzip"}
    return lambda _r: Response(encoded, headers=dict(headers))


def brotli_response(body: bytes, *, content_type: str = RSS) -> Handler:
    """The body brotli-encoded, with ``Content-Encoding: br``."""
    encoded = brotli.compress(body)
    headers = {"Content-Type": content_type, "Content-Encoding": "br"}
    return lambda _r: Response(encoded, headers=dict(headers))


@lru_cache(maxsize=4)
def _gzipped_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(2**20)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.compress(bytes(size % len(block))))
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_bomb(size: int = 50 * 2**20, *, content_type: str = RSS) -> Handler:
    """``size`` zero bytes gzip-compressed (50 MB -> about 50 KB on the wire)."""
    encoded = _gzipped_zeros(size)
    headers = {"Content-Type": content_type, "Content-Encoding": "gzip"}
    return lambda _r: Response(encoded, headers=dict(headers))


def oversized(size: int, *, declare_length: bool = True, content_type: str = RSS) -> Handler:
    """A ``size``-byte body; without ``declare_length`` it is close-delimited (no length)."""
    body = b"x" * size
    headers = {"Content-Type": content_type}
    return lambda _r: Response(body, headers=dict(headers), close_delimited=not declare_length)


def status_with_retry_after(status: int, retry_after: str | None) -> Handler:
    """An error status (429, 503, ...) with an optional Retry-After (delta seconds or HTTP date)."""
    headers = {"Content-Type": "text/plain"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return lambda _r: Response(b"slow down", status=status, headers=dict(headers))


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A started loopback server, stopped (threads joined) at teardown."""
    server = LoopbackServer()
    try:
        yield server
    finally:
        server.stop()


def ranged(body: bytes, content_type: str = "audio/mpeg") -> Handler:
    """A handler that honours ``Range: bytes=N-`` like a real media server."""

    def handler(request: Request) -> Response:
        match = re.fullmatch(r"bytes=(\d+)-", request.headers.get("range", ""))
        if match is None:
            return Response(body, headers={"Content-Type": content_type})
        start = int(match[1])
        if start >= len(body):
            return Response(status=416, headers={"Content-Range": f"bytes */{len(body)}"})
        return Response(
            body[start:],
            status=206,
            headers={
                "Content-Type": content_type,
                "Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}",
            },
        )

    return handler
