"""HTTP for the sync clients: every response size-capped, every request deadlined.

httpx's read timeout is per read, so a server dripping bytes or streaming forever would
hold a sync for ever: each request has an overall deadline checked as the body arrives,
and a cap on the bytes kept. Bodies are asked for uncompressed (``identity``) and read
raw, so a small compressed answer can never expand past the cap in one step.

Errors are :class:`SyncError` with one line naming the path, never the query string,
headers or body (where tokens and passwords travel).
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from tuireader import __version__
from tuireader.humanize import format_bytes
from tuireader.sync.types import AuthError, HttpStatusError, SyncError

USER_AGENT = f"tuireader/{__version__} (sync)"
DEFAULT_CAP = 64 * 2**20
DEFAULT_DEADLINE = 120.0

#: Query or form fields; a list value repeats the field (``i=1&i=2``).
Params = Mapping[str, str | list[str]]


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, insecure_http: bool = False) -> str:
    """The API base without a trailing slash, or SyncError: https, or http on loopback."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(f"{url!r} is not an http(s) address")
    if parts.username or parts.password:
        raise SyncError(
            "put the user in --user and the password in a command or stdin, not in the URL"
        )
    if parts.scheme == "http" and not insecure_http and not is_loopback(parts.hostname):
        raise SyncError(
            f"refusing plain http:// to {parts.hostname}: the password would cross the network "
            "unencrypted; use https://, or --insecure-http if you accept that"
        )
    return url


@dataclass(slots=True)
class Traffic:
    requests: int = 0
    bytes_received: int = 0
    #: Wall time spent inside requests: waiting for the server and reading its answers.
    seconds: float = 0.0


class SyncHttp:
    """One keep-alive client for one server; counts requests and bytes for the summary."""

    def __init__(
        self,
        *,
        cap: int = DEFAULT_CAP,
        deadline: float = DEFAULT_DEADLINE,
        timeout: float = 30.0,
        tls: bool = True,
    ) -> None:
        """``tls=False`` for an http:// server: no TLS happens (redirects are never
        followed), so the CA bundle is not loaded (50 ms of every sync). Certificates are
        always verified on https://."""
        self.cap = cap
        self.deadline = deadline
        self.traffic = Traffic()
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            verify=tls,
        )

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Params | None = None,
        data: Params | None = None,
        headers: Mapping[str, str] | None = None,
        cap: int | None = None,
    ) -> bytes:
        """The body of a 2xx answer, or SyncError with one line about ``what`` failed."""
        limit = self.cap if cap is None else cap
        started = time.monotonic()
        self.traffic.requests += 1
        try:
            return self._request(method, url, what, params, data, headers, limit, started)
        finally:
            self.traffic.seconds += time.monotonic() - started

    def _request(
        self,
        method: str,
        url: str,
        what: str,
        params: Params | None,
        data: Params | None,
        headers: Mapping[str, str] | None,
        limit: int,
        started: float,
    ) -> bytes:
        try:
            with self._client.stream(
                method, url, params=params, data=data, headers=headers
            ) as response:
                status = response.status_code
                if status >= 300:
                    response.close()
                    raise _status_error(status, response.headers, what)
                decoder = _decoder(response.headers.get("content-encoding", ""))
                chunks: list[bytes] = []
                size = 0
                for raw in response.iter_raw():
                    self.traffic.bytes_received += len(raw)
                    piece = decoder(raw, limit - size + 1) if decoder else raw
                    size += len(piece)
                    if size > limit:
                        raise SyncError(
                            f"the server sent more than {format_bytes(limit)} for {what}; "
                            "stopped reading"
                        )
                    if time.monotonic() - started > self.deadline:
                        raise SyncError(
                            f"the server took longer than {self.deadline:g} s to send {what}; "
                            "gave up"
                        )
                    chunks.append(piece)
                return b"".join(chunks)
        except httpx.TimeoutException:
            raise SyncError(f"the server did not answer in time for {what}") from None
        except httpx.HTTPError as error:
            host = urlsplit(url).hostname or url
            raise SyncError(f"cannot reach {host}: {_reason(error)}") from None

    def json(self, method: str, url: str, *, what: str, **kwargs: Any) -> Any:
        body = self.request(method, url, what=what, **kwargs)
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise SyncError(f"the server sent malformed JSON for {what}") from None


def _decoder(encoding: str) -> Any:
    """A bounded decoder for a server that compresses although we asked it not to."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding not in ("gzip", "deflate"):
        raise SyncError(f"the server sent an unsupported encoding ({encoding[:20]})")
    inflater = zlib.decompressobj(47 if encoding == "gzip" else zlib.MAX_WBITS | 32)

    def decode(chunk: bytes, room: int) -> bytes:
        try:
            return inflater.decompress(chunk, max(room, 1))
        except zlib.error:
            raise SyncError("the server sent a damaged compressed body") from None

    return decode


def _status_error(status: int, headers: httpx.Headers, what: str) -> HttpStatusError:
    if status in (401, 403):
        return AuthError(
            f"the server refused the user name or password (HTTP {status}) for {what}", status
        )
    if status == 404:
        return HttpStatusError(
            f"HTTP 404 for {what}: is the URL the API base "
            "(FreshRSS: https://host/api/greader.php)?",
            status,
        )
    if status == 429:
        wait = headers.get("retry-after", "").strip()
        later = f"; try again in {wait} s" if wait.isdigit() else "; try again later"
        return HttpStatusError(
            f"the server asks us to slow down (HTTP 429) for {what}{later}", status
        )
    if status >= 500:
        return HttpStatusError(
            f"the server failed (HTTP {status}) for {what}; try again later", status
        )
    if 300 <= status < 400:
        return HttpStatusError(
            f"the server redirected {what} (HTTP {status}); check the URL", status
        )
    return HttpStatusError(f"the server refused {what} (HTTP {status})", status)


def _reason(error: httpx.HTTPError) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return "its TLS certificate is not valid"
    if "refused" in text.lower():
        return "connection refused"
    if "reset by peer" in text.lower():
        return "the connection was reset"
    return re.sub(r"^\[Errno \d+\] ", "", text)[:120]
