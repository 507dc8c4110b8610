"""Prefetch with ``images = "auto"``: a page's images are fetched with it for offline
reading, their bytes counted against the prefetch's byte budget, never for a data-saver feed."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from loopback import LoopbackServer
from test_fulltext import PARAGRAPHS, teaser_feed
from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.store import ArticleQuery


def photo() -> bytes:
    image = Image.new("RGB", (300, 200))
    for x in range(0, 300, 3):
        for y in range(0, 200, 3):
            image.putpixel((x, y), (x % 256, y % 256, (x * y) % 256))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def page(image_url: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html><html><head><title>Kestrel cable lands</title></head><body>
<article><h1>Kestrel cable lands</h1><figure><img src="{image_url}" alt="The cable ship"
width="300" height="200"><figcaption>The cable ship at dawn.</figcaption></figure>
{body}</article></body></html>""".encode()


async def setup(tmp_path: Path, server: LoopbackServer) -> tuple[Reader, int]:
    server.add("/ship.png", photo(), content_type="image/png")
    server.add("/story", page(server.url("/ship.png")), content_type="text/html")
    server.add("/feed.xml", teaser_feed(server.url("/story")))
    reader = make_reader(db_path=tmp_path / "t.db", config=Config(images="auto"))
    result = await reader.subscribe(server.url("/feed.xml"))
    [article_id] = reader.store.article_ids(ArticleQuery(feed_id=result.feed.id))
    return reader, result.feed.id


async def test_prefetch_fetches_the_page_images_within_its_budget(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    reader, _feed = await setup(tmp_path, http_server)
    summary = await reader.prefetch_full_texts(max_bytes=10**6)
    [article_id] = reader.store.article_ids(ArticleQuery())
    stored = reader.store.stored_images(article_id)
    [image] = stored.values()
    assert image.data == photo() and image.format == "PNG"
    page_bytes = len(page(http_server.url("/ship.png")))
    assert summary.bytes_downloaded >= page_bytes + len(photo())


async def test_a_spent_budget_leaves_the_images(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    reader, _feed = await setup(tmp_path, http_server)
    summary = await reader.prefetch_full_texts(max_bytes=100)  # the page alone is over it
    assert summary.fetched == 1
    assert "/ship.png" not in http_server.paths_requested()


async def test_no_images_for_a_data_saver_feed_or_with_images_off(
    tmp_path: Path, http_server: LoopbackServer
) -> None:
    reader, feed_id = await setup(tmp_path, http_server)
    reader.store.set_data_saver(feed_id, True)
    assert (await reader.prefetch_full_texts(max_bytes=10**6)).fetched == 1
    assert "/ship.png" not in http_server.paths_requested()
    off = make_reader(db_path=tmp_path / "off.db")
    await off.subscribe(http_server.url("/feed.xml"))
    assert (await off.prefetch_full_texts(max_bytes=10**6)).fetched == 1
    assert "/ship.png" not in http_server.paths_requested()
