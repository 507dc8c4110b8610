"""Download one enclosure to a file: streamed, resumable, capped.

Podcast episodes run to tens or hundreds of megabytes, so unlike a feed they are never held
in memory: bytes go to ``<name>.part`` as they arrive and the file gets its real name only
when complete. A later try sends ``Range: bytes=N-`` for the ``N`` bytes already there and
appends when the server answers 206 for exactly that offset (it starts over on a 200).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from tuireader.fetch import DEFAULT_USER_AGENT
from tuireader.humanize import format_bytes
from tuireader.sanitize import clean_line

#: (bytes on disk so far, expected total or None) after each chunk.
ProgressCallback = Callable[[int, int | None], None]

_CHUNK = 64 * 1024
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class DownloadError(Exception):
    """A download that stopped; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Downloaded:
    path: Path
    #: Size of the finished file.
    size: int
    #: Bytes that crossed the network this time (less than size after a resume).
    transferred: int
    resumed: bool


def part_path(path: Path) -> Path:
    return path.with_name(path.name + ".part")


async def download_file(
    client: httpx.AsyncClient,
    url: str,
    path: Path,
    *,
    max_bytes: int,
    on_progress: ProgressCallback | None = None,
) -> Downloaded:
    """Fetch ``url`` into ``path``, resuming a ``.part`` left by an earlier try.

    Raises :class:`DownloadError` with a one-line reason; the ``.part`` file is kept (except
    when the download is over the cap), so the next try resumes.
    """
    scheme = httpx.URL(url).scheme if url else ""
    if scheme not in ("http", "https"):
        raise DownloadError(f"not a web address: {clean_line(url)[:80]!r}")
    partial = part_path(path)
    have = partial.stat().st_size if partial.exists() else 0
    headers = {"User-Agent": DEFAULT_USER_AGENT, "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    transferred = 0
    try:
        async with client.stream("GET", url, headers=headers) as response:
            start, total = _starting_point(response, have)
            if total is not None and total > max_bytes:
                partial.unlink(missing_ok=True)
                raise DownloadError(
                    f"{format_bytes(total)} is over the download limit of {format_bytes(max_bytes)}"
                )
            if start == -1:  # 416 with the whole file already here
                partial.replace(path)
                return Downloaded(path, have, 0, resumed=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("ab" if start else "wb") as out:
                size = start
                async for chunk in response.aiter_raw(_CHUNK):
                    size += len(chunk)
                    transferred += len(chunk)
                    if size > max_bytes:
                        out.close()
                        partial.unlink(missing_ok=True)
                        raise DownloadError(f"over the download limit of {format_bytes(max_bytes)}")
                    out.write(chunk)
                    if on_progress is not None:
                        on_progress(size, total)
    except httpx.HTTPError as error:
        raise DownloadError(_network_reason(error)) from None
    except OSError as error:
        raise DownloadError(f"cannot write {path.name}: {error.strerror or error}") from None
    if total is not None and size < total:
        raise DownloadError(f"connection closed at {format_bytes(size)} of {format_bytes(total)}")
    partial.replace(path)
    return Downloaded(path, size, transferred, resumed=start > 0)


def _starting_point(response: httpx.Response, have: int) -> tuple[int, int | None]:
    """Where the body starts in the file (-1: nothing left to fetch) and the full size."""
    status = response.status_code
    if status == 206:
        match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
        if match is None or int(match[1]) != have:
            raise DownloadError("the server sent a part of the file that was not asked for")
        return have, None if match[3] == "*" else int(match[3])
    if status == 416 and have:
        declared = response.headers.get("content-range", "")
        if declared.endswith(f"/{have}"):
            return -1, have
        raise DownloadError("the server no longer has the part that was missing; try again")
    if status == 200:
        length = response.headers.get("content-length")
        return 0, int(length) if length and length.isdigit() else None
    raise DownloadError(f"HTTP {status} {response.reason_phrase}".strip())


def _network_reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timed out; the part downloaded so far is kept"
    if isinstance(error, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(error, httpx.UnsupportedProtocol):
        return "redirected to an address that is not http(s)"
    text = clean_line(str(error)) or type(error).__name__
    return f"network error ({text[:80]}); the part downloaded so far is kept"
