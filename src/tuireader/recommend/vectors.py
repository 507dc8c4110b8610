"""An article reduced to what ranking needs, and its compact bytes for the store.

Analysing an article (stripping, tokenising, hashing, MinHash) is the expensive part of a
ranking, so the store keeps each article's vector: a fresh process ranks 5,000 candidates by
reading bytes instead of re-analysing their text. :data:`VECTOR_VERSION` changes whenever
the analysis does, and stored vectors of another version are recomputed.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from tuireader.recommend.dedup import minhash, normalized_link
from tuireader.recommend.features import feature_names
from tuireader.recommend.types import ArticleFeatures

VECTOR_VERSION = 4
# feed id, freshness date (NaN when none), signature length, link length, feature count,
# undated flag
_HEADER = struct.Struct("<qdHHIB")


@dataclass(frozen=True, slots=True)
class ArticleVector:
    """An article's features, date and same-story keys, computed once and cached by id."""

    id: int
    feed_id: int
    #: Sorted feature hashes (a tuple, or the array they were stored as).
    features: Sequence[int]
    #: 1/sqrt(feature count): long teasers do not outscore short ones by length alone.
    norm: float
    #: Seconds since the epoch: the published date, else when the store first saw it.
    published: float | None
    link: str | None = None
    signature: tuple[int, ...] = ()
    #: True when ``published`` is only when the store first saw it.
    undated: bool = False


def vectorize(article: ArticleFeatures, *, stories: bool = True) -> ArticleVector:
    """Analyse an article; ``stories=False`` skips the same-story keys (only ranking
    candidates need them, not the articles a signal is learned from)."""
    features = tuple(sorted(feature_names(article)))
    dated = article.published or article.first_seen
    return ArticleVector(
        id=article.id,
        feed_id=article.feed_id,
        features=features,
        norm=1.0 / math.sqrt(len(features)) if features else 0.0,
        published=dated.timestamp() if dated else None,
        link=normalized_link(article.link) if stories else None,
        signature=minhash(article) if stories else (),
        undated=article.published is None,
    )


def encode_vector(vector: ArticleVector) -> bytes:
    link = (vector.link or "").encode("utf-8")[:65535]
    published = math.nan if vector.published is None else vector.published
    header = _HEADER.pack(
        vector.feed_id,
        published,
        len(vector.signature),
        len(link),
        len(vector.features),
        vector.undated,
    )
    numbers = array("I", vector.signature).tobytes() + array("I", vector.features).tobytes()
    return header + link + numbers


def decode_vector(article_id: int, data: bytes) -> ArticleVector:
    """The vector :func:`encode_vector` wrote; ValueError when the bytes are not one."""
    try:
        feed_id, published, signature_length, link_length, count, undated = _HEADER.unpack_from(
            data
        )
    except struct.error as error:
        raise ValueError(f"bad article vector: {error}") from error
    start = _HEADER.size
    link = data[start : start + link_length].decode("utf-8", "replace") or None
    start += link_length
    if len(data) - start != 4 * (signature_length + count):
        raise ValueError("bad article vector: wrong length")
    signature = array("I")
    signature.frombytes(data[start : start + 4 * signature_length])
    features = array("I")
    features.frombytes(data[start + 4 * signature_length :])
    return ArticleVector(
        id=article_id,
        feed_id=feed_id,
        features=features,
        norm=1.0 / math.sqrt(count) if count else 0.0,
        published=None if math.isnan(published) else published,
        link=link,
        signature=tuple(signature),
        undated=bool(undated),
    )
