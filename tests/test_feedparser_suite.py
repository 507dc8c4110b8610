"""Every file of feedparser's own test suite, read by tuireader and by plain feedparser.

The files live in ../shared (skipped when absent, a failure under CI=true). For each one:
no crash; tuireader's values equal plain feedparser's field by field (tests/feedsuite.py
says how the reference is mapped); and where the lxml fast path answers, it equals
tuireader's own feedparser fallback. The few deliberate differences are listed in
``DELIBERATE`` and each has a test below saying why.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SHARED_DIR
from feedsuite import SUITE, compare_file, suite_files
from tuireader.models import FeedError
from tuireader.parse import parse_feed

pytestmark = pytest.mark.corpus

FILES = suite_files(SHARED_DIR) if (SHARED_DIR / SUITE).is_dir() else []

#: Files where tuireader differs from feedparser on purpose: file -> the test that says why.
DELIBERATE = {
    "encoding/bozo_invalid-bytes-with-bom.xml": "test_utf8_with_a_few_bad_bytes_is_repaired",
    "encoding/bozo_linenoise.xml": "test_utf8_with_a_few_bad_bytes_is_repaired",
    "wellformed/rss/entity_in_doctype.xml": "test_entity_declarations_are_refused",
    **{
        f"wellformed/cdf/channel_{name}.xml": "test_a_document_of_no_known_format_needs_content"
        for name in (
            "abstract_map_description",
            "abstract_map_tagline",
            "href_map_link",
            "href_map_links",
        )
    },  # fmt: skip
}


def _name(path: Path) -> str:
    return path.relative_to(SHARED_DIR / SUITE).as_posix()


def _require_suite() -> None:
    reason = f"{SHARED_DIR / SUITE} is absent (it is beside the developers' checkout)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.mark.parametrize("path", FILES or [None], ids=[_name(p) for p in FILES] or ["absent"])
def test_suite_file_reads_like_feedparser(path: Path | None) -> None:
    if path is None:
        _require_suite()
        return
    outcome = compare_file(path, SHARED_DIR)
    assert outcome.crash is None
    assert outcome.fast_diffs == (), "the fast path must equal the feedparser fallback"
    if _name(path) in DELIBERATE:
        assert outcome.diffs, f"{_name(path)} no longer differs: drop it from DELIBERATE"
    else:
        assert outcome.diffs == ()


def test_the_suite_is_all_there() -> None:
    if not FILES:
        _require_suite()
    assert len(FILES) >= 1850
    outcomes = [compare_file(p, SHARED_DIR) for p in FILES if "/chardet/" in p.as_posix()]
    assert sum(o.fast_taken for o in outcomes) == 0  # legacy encodings never take the fast path


def _suite_bytes(name: str) -> bytes:
    path = SHARED_DIR / SUITE / name
    if not path.is_file():
        _require_suite()
    return path.read_bytes()


def test_utf8_with_a_few_bad_bytes_is_repaired() -> None:
    """feedparser re-reads the whole document as windows-1252 when one byte is not UTF-8,
    turning every "é" into "Ã©"; we replace only the bad bytes (see xmlfeed.repair_utf8)."""
    feed = parse_feed(_suite_bytes(list(DELIBERATE)[0]), url="http://127.0.0.1/x.xml")
    assert feed.title is not None
    assert feed.title.startswith("Valid UTF8: \u0468")  # feedparser: "Ñ¨"
    assert "\ufffd" in feed.title  # just the one invalid byte


def test_entity_declarations_are_refused() -> None:
    """A DTD that declares entities is how billion-laughs and XXE start: never parsed."""
    with pytest.raises(FeedError, match="DTD"):
        parse_feed(_suite_bytes(list(DELIBERATE)[2]), url="http://127.0.0.1/x.xml")


def test_a_document_of_no_known_format_needs_content() -> None:
    """feedparser reads a description or link out of any XML with a <channel>; a document it
    cannot place as RSS/Atom (version '') with neither a title nor entries is "not a feed",
    so subscribing to some XML API by mistake says so instead of adding an empty feed."""
    body = _suite_bytes("wellformed/cdf/channel_abstract_map_description.xml")
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(body, url="http://127.0.0.1/x.xml")


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("illformed/chardet/big5.xml", "我希望"),
        ("illformed/chardet/eucjp.xml", "ゲーム三昧"),
        ("illformed/chardet/euckr.xml", "EUC-KR 에서"),
        ("illformed/chardet/gb2312.xml", "不归移民"),
        ("illformed/chardet/shiftjis.xml", "DrecomRSSに記事"),
        ("illformed/chardet/koi8r.xml", "Как пережить"),
    ],
)
def test_undeclared_legacy_encodings_are_detected(name: str, start: str) -> None:
    feed = parse_feed(_suite_bytes(name), url="http://127.0.0.1/x.xml")
    title = feed.title or feed.entries[0].title
    assert title.startswith(start)
