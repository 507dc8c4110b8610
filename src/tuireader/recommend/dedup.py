"""Find the same story published by several feeds.

Two articles are the same story when their links agree once tracking parameters, ``www.``,
the scheme, fragments and trailing slashes are ignored, or when their title and teaser are
near-identical: MinHash over word 3-shingles, banded for locality-sensitive lookup, then
confirmed by the share of agreeing MinHash values (an estimate of Jaccard similarity).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from tuireader.recommend.features import words
from tuireader.recommend.types import ArticleFeatures

_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
        "at_medium",
        "at_campaign",
        "_ga",
        "_hsenc",
        "_hsmi",
        "spm",
        "smid",
    }
)
_TRACKING_PREFIXES = ("utm_", "itm_", "pk_", "mtm_", "hmb_", "vero_", "oly_")

SHINGLE_SIZE = 3
SHINGLE_TEXT_WORDS = 60
BANDS = 5
ROWS = 3
PERMUTATIONS = BANDS * ROWS
#: Share of agreeing MinHash values above which two stories count as one.
SAME_STORY_SIMILARITY = 0.6
_MASKS = tuple(random.Random(0x5EED).getrandbits(32) for _ in range(PERMUTATIONS))


def normalized_link(link: str | None) -> str | None:
    """A link's identity: host without www, path without trailing slash, no tracking query."""
    if not link:
        return None
    try:
        parts = urlsplit(link.strip())
        port_number = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if not host:
        return None
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING_PARAMS and not key.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path.rstrip("/") or "/"
    port = f":{port_number}" if port_number not in (None, 80, 443) else ""
    return f"{host}{port}{path}" + (f"?{urlencode(query)}" if query else "")


def minhash(article: ArticleFeatures) -> tuple[int, ...]:
    """MinHash signature of the article's title and opening words, or () when too short."""
    tokens = words(article.title) + words(article.text)[:SHINGLE_TEXT_WORDS]
    if len(tokens) < SHINGLE_SIZE:
        return ()
    hashes = {
        zlib.crc32(" ".join(tokens[i : i + SHINGLE_SIZE]).encode("utf-8"))
        for i in range(len(tokens) - SHINGLE_SIZE + 1)
    }
    return tuple(min([h ^ mask for h in hashes]) for mask in _MASKS)


def similarity(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    if not first or not second:
        return 0.0
    return sum(a == b for a, b in zip(first, second, strict=True)) / PERMUTATIONS


def _band_keys(signature: tuple[int, ...]) -> list[tuple[int, ...]]:
    if not signature:
        return []
    return [(band, *signature[band * ROWS : (band + 1) * ROWS]) for band in range(BANDS)]


@dataclass(frozen=True, slots=True)
class _StoryKey:
    link: str | None
    signature: tuple[int, ...]


class DuplicateIndex:
    """Remembers every article's link and MinHash bands, to find its twins among candidates."""

    def __init__(self) -> None:
        self._keys: dict[int, _StoryKey] = {}
        self._by_link: dict[str, list[int]] = {}
        self._by_band: dict[tuple[int, ...], list[int]] = {}

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._keys

    def add(self, article_id: int, link: str | None, signature: tuple[int, ...]) -> None:
        """Index an article by its normalized link and MinHash signature."""
        if article_id in self._keys:
            return
        key = _StoryKey(link, signature)
        self._keys[article_id] = key
        if key.link is not None:
            self._by_link.setdefault(key.link, []).append(article_id)
        for band in _band_keys(key.signature):
            self._by_band.setdefault(band, []).append(article_id)

    def duplicates_of(self, article_id: int, among: Iterable[int] | set[int]) -> list[int]:
        """Ids in ``among`` (a set for speed) that are the same story as ``article_id``."""
        key = self._keys.get(article_id)
        if key is None:
            return []
        pool = among if isinstance(among, set) else set(among)
        found: dict[int, None] = {}
        if key.link is not None:
            for other in self._by_link.get(key.link, ()):
                if other != article_id and other in pool:
                    found[other] = None
        for band in _band_keys(key.signature):
            for other in self._by_band.get(band, ()):
                if other == article_id or other in found or other not in pool:
                    continue
                if similarity(key.signature, self._keys[other].signature) >= SAME_STORY_SIMILARITY:
                    found[other] = None
        return list(found)
