"""Images in the reading pane: off, on demand (a line that loads it) and auto, drawn by
textual-image in half-cell blocks and with the Kitty graphics protocol (both forced through
the library's own widget classes), never for a data-saver feed, kept for offline reading."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.widgets import Static
from uihelpers import AppFactory, build_reader, main, settle

from loopback import LoopbackServer, Request, Response
from tuireader.config import Config, load_config
from tuireader.core import Reader
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery
from tuireader.ui import images
from tuireader.ui.widgets.media_block import ImageLine, MediaBlock

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def picture(width: int = 64, height: int = 48) -> bytes:
    image = Image.new("RGB", (width, height))
    for x in range(width):
        for y in range(height):
            image.putpixel((x, y), (x * 4 % 256, y * 5 % 256, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def add_article(reader: Reader, html: str, *, title: str = "Lighthouse") -> int:
    feed = reader.store.add_feed("https://pics.example/feed.xml")
    entry = ParsedEntry(
        title=title, guid=title, link="https://pics.example/1", published=T0, content_html=html
    )
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title="Pictures", entries=(entry,)),
        body_hash="1",
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    return reader.store.article_ids(ArticleQuery(feed_id=feed.id))[0]


def served_picture(
    tmp_path: Path, http_server: LoopbackServer, images: str = "off"
) -> tuple[Reader, int]:
    """A library with one article showing a PNG served at /pic.png; returns it and the id."""
    http_server.add("/pic.png", picture(), content_type="image/png")
    reader = build_reader(tmp_path / "t.db", demo=False, config=Config(images=images))
    return reader, add_article(reader, figure(http_server.url("/pic.png")))


def figure(url: str, alt: str = "The lighthouse at dusk") -> str:
    return f'<p>A lighthouse.</p><p><img src="{url}" alt="{alt}"></p><p>More text.</p>'


@pytest.fixture
def renderer() -> Iterator[None]:
    """Each test picks its renderer; the module's choice is put back afterwards."""
    before = images.widget_class()
    yield
    images._widget = before


def lines(app: Any) -> list[ImageLine]:
    return list(main(app).query(ImageLine))


def caption(line: ImageLine) -> str:
    return str(line.query_one(".image-caption", Static).render())


async def open_article(pilot: Any, article_id: int) -> None:
    await settle(pilot)
    main(pilot.app).open_article(article_id)
    await settle(pilot)


async def test_on_demand_a_line_loads_the_image_in_half_cells_and_it_stays_offline(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory, renderer: None
) -> None:
    reader, article_id = served_picture(tmp_path, http_server, "on-demand")
    images.load("halfcell")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        [line] = lines(app)
        assert caption(line) == "🖼 Image: The lighthouse at dusk · enter loads it"
        assert http_server.paths_requested() == []  # nothing until asked
        await pilot.click(ImageLine)  # a click on its line loads it (enter: the tests below)
        await settle(pilot)
        [drawn] = line.query(".image-picture")
        assert type(drawn).__name__ == "HalfcellImage"
        rows = [drawn.render_line(y).text for y in range(drawn.size.height)]
        assert 1 < len(rows) <= 16 and all(set(row) == {"▀"} for row in rows)
        await pilot.click(ImageLine)  # shown: a click fetches nothing more
        await settle(pilot)
        assert http_server.paths_requested() == ["/pic.png"]
    http_server.stop()  # offline: the picture comes from the store
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        [line] = lines(app)
        assert line.query(".image-picture")
        assert caption(line) == "🖼 Image: The lighthouse at dusk"


async def test_the_status_line_counts_what_images_cost(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory, renderer: None
) -> None:
    # Seen in the user trial on a metered connection: a page fetched for an article showed
    # as "1 page · 5 KB", but the images loaded after it cost bytes nobody was told about.
    reader, article_id = served_picture(tmp_path, http_server, "on-demand")
    images.load("halfcell")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        assert "image" not in main(app).status_line.text().plain.replace("images load", "")
        await pilot.click(ImageLine)
        await settle(pilot)
        status = main(app).status_line.text().plain
        # What the fetch counted (the body, with its response's headers): at least the body.
        spent = re.search(r"1 image · (\d+) B", status)
        assert spent is not None and int(spent.group(1)) >= len(picture()), status


async def test_auto_loads_with_the_article_through_the_kitty_protocol(
    tmp_path: Path,
    http_server: LoopbackServer,
    app_factory: AppFactory,
    renderer: None,
    capfd: pytest.CaptureFixture[str],
) -> None:
    reader, article_id = served_picture(tmp_path, http_server, "auto")
    images.load("tgp")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        [line] = lines(app)
        [drawn] = line.query(".image-picture")
        assert type(drawn).__name__ == "TGPImage"
        first_row = drawn.render_line(0).text
        # Kitty's Unicode placeholders: the terminal puts the picture where they are.
        assert first_row.startswith("\U0010eeee")
    # ...after sending it the picture once, as PNG (f=100), by the graphics protocol.
    sent = capfd.readouterr().out
    assert "\x1b_G" in sent and "f=100" in sent


async def test_a_data_saver_feed_shows_no_images_and_fetches_none(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory, renderer: None
) -> None:
    reader, article_id = served_picture(tmp_path, http_server, "auto")
    reader.store.set_data_saver(reader.article(article_id).feed_id, True)  # type: ignore[union-attr]
    images.load("halfcell")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        assert lines(app) == []
        note = str(main(app).query_one("#media-note", Static).render())
        assert note == "Images are off for this feed (data saver)."
    assert http_server.paths_requested() == []


async def test_hostile_images_say_why_they_are_not_shown(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory, renderer: None
) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    http_server.add("/dot.png", picture(1, 1), content_type="image/png")
    http_server.add("/evil.svg", svg, content_type="image/svg+xml")
    http_server.add("/fake.png", b"<html>not an image</html>", content_type="image/png")
    html = (
        figure(http_server.url("/dot.png"), "dot")
        + figure(http_server.url("/evil.svg"), "svg [@click=app.quit]x")
        + figure(http_server.url("/fake.png"), "fake")
    )
    reader = build_reader(tmp_path / "t.db", demo=False, config=Config(images="auto"))
    article_id = add_article(reader, html)
    images.load("halfcell")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        said = [caption(line) for line in lines(app)]
        assert not any(line.query(".image-picture") for line in lines(app))
        assert app.is_running  # the markup-looking alt text was only text
    assert said == [
        "🖼 Image: dot · not shown: a tracking pixel · enter tries again",
        "🖼 Image: svg [@click=app.quit]x · not shown: not a picture (SVG) · enter tries again",
        "🖼 Image: fake · not shown: not a picture (SVG or a page) · enter tries again",
    ]


async def test_c_cycles_the_images_setting_loading_the_library_once(
    tmp_path: Path,
    http_server: LoopbackServer,
    app_factory: AppFactory,
    renderer: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(images, "_widget", None)  # not loaded: images were off at start
    reader, article_id = served_picture(tmp_path, http_server)
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        block = main(app).query_one(MediaBlock)
        assert lines(app) == [] and not block.has_class("shown")
        await pilot.press("c")
        await settle(pilot)
        assert reader.config.images == "on-demand" and images.loaded()
        assert [caption(line) for line in lines(app)] == [
            "🖼 Image: The lighthouse at dusk · enter loads it"
        ]
        assert "images load on demand" in str(main(app).status_line.text())
        await pilot.press("c")
        await settle(pilot)
        assert reader.config.images == "auto"
        assert lines(app)[0].query(".image-picture")  # auto fetched it at once
        await pilot.press("c")
        await settle(pilot)
        assert reader.config.images == "off" and lines(app) == []
    assert http_server.paths_requested() == ["/pic.png"]


async def test_the_setting_is_saved_in_config_toml(
    tmp_path: Path, app_factory: AppFactory, renderer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tuireader.core import make_reader
    from tuireader.paths import resolve_dirs

    dirs = resolve_dirs()
    reader = make_reader(dirs=dirs)
    add_article(reader, "<p>No picture.</p>")  # a library with a feed: no welcome screen
    images.load("halfcell")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
    assert load_config(dirs.config_file).config.images == "on-demand"


def test_textual_image_is_not_imported_when_images_are_off() -> None:
    """Importing it queries the terminal: never at start-up unless images are on."""
    code = (
        "import sys\n"
        "from tuireader.ui.app import make_app\n"
        "from tuireader.ui.screens.main import MainScreen\n"
        "import tuireader.cli\n"
        "print('textual_image' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_offline_a_line_says_why_and_enter_tries_again(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory, renderer: None
) -> None:
    reader, article_id = served_picture(tmp_path, http_server, "on-demand")
    images.load("halfcell")
    app = app_factory(reader, demo=True)  # the demo never fetches: as good as offline
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        [line] = lines(app)
        line.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert caption(line) == (
            "🖼 Image: The lighthouse at dusk · not shown: the demo library is offline: "
            "nothing is fetched in the demo · enter tries again"
        )
        assert not line.loading  # Textual's own loading indicator never covers it
        app.reader.demo = False  # back online
        await pilot.press("enter")
        await settle(pilot)
        assert line.query(".image-picture")
    assert http_server.paths_requested() == ["/pic.png"]


async def test_an_image_that_failed_is_fetched_again_when_asked(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory, renderer: None
) -> None:
    answers = [Response(b"busy", status=503, headers={"Content-Type": "text/plain"})]

    def flaky(request: Request) -> Response:
        if answers:
            return answers.pop()
        return Response(picture(), headers={"Content-Type": "image/png"})

    http_server.add_handler("/pic.png", flaky)
    reader = build_reader(tmp_path / "t.db", demo=False, config=Config(images="auto"))
    article_id = add_article(reader, figure(http_server.url("/pic.png")))
    images.load("halfcell")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        [line] = lines(app)
        assert "not shown: HTTP 503" in caption(line) and "enter tries again" in caption(line)
        main(app).open_article(article_id)  # auto never tries a refused image again itself
        await settle(pilot)
        assert http_server.paths_requested() == ["/pic.png"]
        [line] = lines(app)
        await pilot.press("tab")  # from the reading pane to its image line
        assert app.focused is line
        await pilot.press("enter")
        await settle(pilot)
        assert line.query(".image-picture")
        assert caption(line) == "🖼 Image: The lighthouse at dusk"
        await pilot.press("escape")  # back to the text, then back to the list
        assert app.focused is main(app).reader_pane
        await pilot.press("escape")
        assert app.focused is main(app).articles
    assert http_server.paths_requested() == ["/pic.png", "/pic.png"]


async def test_many_images_are_drawn_smaller_so_the_text_stays_near(
    tmp_path: Path, http_server: LoopbackServer, app_factory: AppFactory, renderer: None
) -> None:
    for n in range(4):
        http_server.add(f"/p{n}.png", picture(64 + n, 48), content_type="image/png")
    html = "".join(figure(http_server.url(f"/p{n}.png"), f"picture {n}") for n in range(4))
    reader = build_reader(tmp_path / "t.db", demo=False, config=Config(images="auto"))
    article_id = add_article(reader, html)
    images.load("halfcell")
    app = app_factory(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_article(pilot, article_id)
        heights = [line.query_one(".image-picture").size.height for line in lines(app)]
    assert len(heights) == 4 and all(1 < h <= 8 for h in heights)
