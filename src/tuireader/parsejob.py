"""What the refresh sends to its parse workers, importable without importing the parser.

The main process of a refresh only downloads and stores: keeping feedparser (and
everything the parsers pull in) out of it makes every `tuireader refresh` start sooner.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuireader.models import ParsedFeed


def body_fingerprint(body: bytes) -> str:
    """A cheap digest of a response body: equal digests mean the parse can be skipped."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def parse_in_worker(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    """Runs in a worker process, where the forkserver has already imported the parser."""
    from tuireader.parse import parse_feed

    return parse_feed(body, url=url, content_type=content_type)
