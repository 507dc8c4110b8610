"""Images for the reading pane: found, fetched over real loopback HTTP, hostile ones contained."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from loopback import LoopbackServer
from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.htmlmd import html_to_markdown
from tuireader.media.images import ImageRef, ImageRefused, check_image, image_refs
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def png(width: int = 40, height: int = 30, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, format="PNG")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def make(tmp_path: Path, **config: object) -> tuple[Reader, int]:
    reader = make_reader(db_path=tmp_path / "t.db", config=Config(**config), clock=lambda: T0)  # type: ignore[arg-type]
    feed = reader.store.add_feed("https://example.org/feed.xml")
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title="Gazette", entries=(ParsedEntry(title="Pictures", guid="p"),)),
        body_hash="1",
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    return reader, reader.store.article_ids(ArticleQuery())[0]


def fetch(reader: Reader, article_id: int, urls: list[str], budget: int | None = None):  # type: ignore[no-untyped-def]
    refs = [ImageRef(url, "🖼 Image") for url in urls]
    return asyncio.run(reader.fetch_images(article_id, refs, byte_budget=budget))


def test_images_are_found_in_the_markdown_and_trackers_are_not() -> None:
    html = (
        '<p><img src="https://example.org/a.png" alt="A harbour [at] dawn">'
        '<img src="https://example.org/pixel.gif" width="1" height="1">'
        '<img src="javascript:alert(1)"><img src="data:image/png;base64,AAAA">'
        '<a href="https://example.org/big"><img src="/b.jpg" alt="linked"></a>'
        '<img src="https://example.org/a.png" alt="again"></p>'
    )
    refs = image_refs(html_to_markdown(html, base_url="https://example.org/post"))
    # A linked image keeps its link (the converter writes the link, not the src).
    assert [r.url for r in refs] == ["https://example.org/a.png", "https://example.org/big"]
    assert refs[0].label == "🖼 Image: A harbour [at] dawn"


def test_a_real_image_is_fetched_checked_and_kept_for_offline(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    http_server.add("/a.png", png(), content_type="image/png")
    reader, article_id = make(tmp_path, images="auto")
    result = fetch(reader, article_id, [http_server.url("/a.png")])
    assert (result.fetched, result.refused) == (1, 0) and result.bytes_downloaded > 0
    http_server.stop()  # offline from here on
    markdown = f"[🖼 Image: a]({http_server.url('/a.png')})"
    [(ref, stored)] = reader.article_images(article_id, markdown)
    assert stored is not None and stored.data == png()
    assert (stored.format, stored.width, stored.height, stored.error) == ("PNG", 40, 30, None)
    # Stored images are not fetched again.
    assert fetch(reader, article_id, [ref.url]).fetched == 0


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (SVG, "image/svg+xml", "not a picture (SVG)"),
        (SVG, "image/png", "not a picture (SVG or a page)"),
        (b"<html><body>login</body></html>", "text/html", "not an image (text/html)"),
        (b"\x89PNG\r\n\x1a\nnot really", "image/png", "not an image this reader shows"),
        (png(1, 1), "image/png", "a tracking pixel"),
    ],
)
def test_what_is_not_a_picture_is_refused(
    tmp_path: Path, http_server: LoopbackServer, body: bytes, content_type: str, reason: str
) -> None:
    http_server.add("/x", body, content_type=content_type)
    reader, article_id = make(tmp_path)
    assert fetch(reader, article_id, [http_server.url("/x")]).refused == 1
    stored = reader.store.stored_images(article_id)[http_server.url("/x")]
    assert (stored.data, stored.error) == (None, reason)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = png(12_000, 12_000, mode="1")  # 144 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    with pytest.raises(ImageRefused, match="too large to decode"):
        check_image(bomb)


def test_an_oversized_image_stops_at_the_cap(tmp_path: Path, http_server: LoopbackServer) -> None:
    http_server.add("/huge.jpg", os.urandom(4 * 2**20), content_type="image/jpeg")
    reader, article_id = make(tmp_path)
    result = fetch(reader, article_id, [http_server.url("/huge.jpg")])
    assert result.refused == 1
    stored = reader.store.stored_images(article_id)[http_server.url("/huge.jpg")]
    assert stored.error is not None and "larger than" in stored.error


def test_only_web_images_are_fetched(tmp_path: Path) -> None:
    reader, article_id = make(tmp_path)
    result = fetch(reader, article_id, ["file:///etc/passwd"])
    assert (result.refused, result.bytes_downloaded) == (1, 0)


def test_the_byte_budget_leaves_the_rest_for_later(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    for name in ("a", "b", "c"):
        http_server.add(f"/{name}.png", png(), content_type="image/png")
    reader, article_id = make(tmp_path)
    urls = [http_server.url(f"/{n}.png") for n in "abc"]
    result = fetch(reader, article_id, urls, budget=1)
    assert (result.fetched, result.skipped) == (1, 2)
    assert http_server.paths_requested() == ["/a.png"]


def test_a_data_saver_feed_never_shows_images(tmp_path: Path) -> None:
    reader, article_id = make(tmp_path, images="auto")
    [feed] = reader.feeds()
    assert reader.images_mode(feed.id) == "auto"
    reader.store.set_data_saver(feed.id, True)
    assert reader.images_mode(feed.id) == "off"


def test_images_fetched_to_read_are_counted_in_the_history(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    """Bytes spent reading count as a refresh's do (history, stats): one row per session."""
    http_server.add("/a.png", png(), content_type="image/png")
    http_server.add("/s.svg", SVG, content_type="image/svg+xml")
    reader, article_id = make(tmp_path, images="auto")
    first = fetch(reader, article_id, [http_server.url("/a.png"), http_server.url("/s.svg")])
    again = fetch(reader, article_id, [http_server.url("/s.svg")])  # stored: nothing fetched
    assert (first.fetched, first.refused, again.fetched + again.refused) == (1, 1, 0)
    reader.close()
    reader = make_reader(db_path=tmp_path / "t.db")
    try:
        [row] = reader.refresh_history()
    finally:
        reader.close()
    assert (row.kind, row.feeds, row.updated, row.failed) == ("reading", 2, 1, 1)
    assert row.bytes_downloaded == first.bytes_downloaded > 0 and row.finished_at is not None
