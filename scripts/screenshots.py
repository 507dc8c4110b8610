"""Drive the real app on the demo library and write SVG screenshots into screenshots/.

Run: ``python scripts/screenshots.py`` (from the repository root).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tuireader.config import Config
from tuireader.core import Reader, make_reader
from tuireader.store import ArticleQuery
from tuireader.ui import images
from tuireader.ui.app import make_app

OUT = Path(__file__).resolve().parents[1] / "screenshots"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(
    name: str,
    size: tuple[int, int],
    steps: Callable[[Pilot[Any]], Awaitable[None]],
    demo: bool,
    history: Callable[[Reader], None] | None = None,
    config: Config | None = None,
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        reader = make_reader(
            db_path=Path(scratch) / "t.db", config=config or Config(), clock=lambda: NOW
        )
        if demo:
            reader.load_demo()
        if history is not None:
            history(reader)
        app = make_app(reader, demo=demo, tz=UTC, open_url=lambda url: None)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)
            await settle(pilot)
            (OUT / f"{name}.svg").write_text(app.export_screenshot(title=f"tuireader: {name}"))
        reader.close()
    print(f"wrote {OUT / name}.svg")


def some_reading(reader: Reader) -> None:
    """A little history for For you: stories about cables read and liked, one shrugged off."""
    store = reader.store
    for row in store.summaries(store.article_ids(ArticleQuery())):
        if "cable" in row.title.lower():
            store.open_article(row.id, mark_read=True)
            store.record_event("read_long", article_id=row.id)
            store.set_recommended(row.id, True)
        elif row.title.startswith("Fishing quota"):
            store.record_event("less_like", article_id=row.id)


def listening(reader: Reader) -> None:
    """The demo podcast: one episode downloaded and half heard, one played, one failed,
    one waiting in the queue (states as the download queue and the player leave them)."""
    store = reader.store
    ids = [a.id for a in reader.articles(ArticleQuery(), limit=500) if "Wave" in a.feed_title]
    first, second, third, fourth = ids[:4]
    store.queue_downloads([first, second, third, fourth])
    for article_id in (first, second):
        [state] = store.enclosure_states(article_id)
        size = state.length or 0
        name = f"The Long Wave - {state.article_title}.mp3"
        store.finish_download(article_id, state.url, path=name, done=size, total=size)
    [state] = store.enclosure_states(first)
    store.record_playback(first, state.url, position=750.0, duration=2472.0, played=False)
    [state] = store.enclosure_states(second)
    store.record_playback(second, state.url, position=0.0, duration=2208.0, played=True)
    [state] = store.enclosure_states(third)
    store.fail_download(third, state.url, error="HTTP 404 Not Found", done=0)


def lighthouse() -> bytes:
    """A small picture drawn here (the demo has no images): a lighthouse at dusk."""
    import io

    from PIL import Image, ImageDraw

    width, height = 240, 150
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(100):  # the sky, from deep blue to orange at the horizon
        t = y / 99
        draw.line(
            [(0, y), (width, y)], fill=(int(30 + 220 * t), int(40 + 110 * t), int(90 - 40 * t))
        )
    for y in range(100, height):  # the sea
        t = (y - 100) / 50
        draw.line([(0, y), (width, y)], fill=(int(20 + 20 * t), int(50 + 20 * t), int(90 + 20 * t)))
    draw.polygon([(150, 100), (175, 100), (170, 40), (155, 40)], fill=(235, 230, 220))
    for y in (55, 75):
        draw.rectangle([(154, y), (171, y + 7)], fill=(190, 40, 40))
    draw.rectangle([(152, 30), (173, 40)], fill=(250, 220, 120))
    draw.polygon([(173, 32), (width, 10), (width, 55), (173, 38)], fill=(255, 210, 130))
    draw.polygon([(120, 100), (200, 100), (215, 108), (110, 108)], fill=(40, 40, 45))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def a_photo_article(reader: Reader) -> None:
    """An article with two images, the first already fetched (so the demo shows it offline)."""
    from tuireader.models import ParsedEntry, ParsedFeed

    store = reader.store
    url = "https://photos.example.org/lighthouse-dusk.png"
    feed = store.add_feed("https://photos.example.org/feed.xml", folder="Photos")
    html = (
        "<p>The keeper lit the lamp at four, as the light went out of the bay.</p>"
        f'<img src="{url}" alt="Gull Point lighthouse at dusk">'
        "<p>By five the beam reached the far shore and the first ferry came round the point.</p>"
        '<img src="https://photos.example.org/ferry.jpg" alt="The evening ferry">'
    )
    entry = ParsedEntry(
        title="Gull Point at dusk",
        guid="dusk",
        link="https://photos.example.org/dusk",
        published=datetime(2026, 11, 30, 11, 30, tzinfo=UTC),
        author="Ines Marr",
        content_html=html,
    )
    store.store_feed(
        feed.id,
        ParsedFeed(title="Coast Photos", entries=(entry,)),
        body_hash="1",
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    [article_id] = store.article_ids(ArticleQuery(feed_id=feed.id))
    data = lighthouse()
    store.save_image(
        article_id, url, data=data, format="PNG", width=240, height=150, error=None,
        bytes_downloaded=len(data),
    )  # fmt: skip


def tags_and_a_query_feed(reader: Reader) -> None:
    """A saved search and a tag, for the sidebar's query feeds and tags."""
    reader.store.add_saved_search("Ferries", "ferry")
    gazette = next(f for f in reader.feeds() if f.title == "The Harbour Gazette")
    reader.store.tag_feed(gazette.id, "local")


async def nothing(pilot: Pilot[Any]) -> None:
    return None


def keys(*presses: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    await shoot("main", (140, 40), keys("j", "j"), demo=True)
    await shoot("reading", (140, 40), keys("j", "enter"), demo=True)
    await shoot(
        "for-you",
        (140, 40),
        # into For you, then open its first article: the header says why it is there
        keys("h", "j", "j", "j", "j", "enter", "enter"),
        demo=True,
        history=some_reading,
    )
    await shoot("wide", (200, 50), keys("j", "enter"), demo=True)
    await shoot("narrow", (80, 30), keys("enter"), demo=True)
    await shoot("help", (140, 40), keys("question_mark"), demo=True)
    await shoot("welcome", (140, 40), nothing, demo=False)
    await shoot("stats", (140, 40), keys("ctrl+t"), demo=True, history=some_reading)
    # w hides the feeds pane, v selects three rows; g waits for its second key
    await shoot("select", (140, 40), keys("w", "v", "j", "v", "v", "g"), demo=True)
    await shoot(
        "search",
        (140, 40),
        # / in All unread, tab: every article; the third match open, n: its first match
        keys("slash", "tab", *"ferry", "enter", "j", "j", "enter", "l", "n"),
        demo=True,
        history=tags_and_a_query_feed,
    )
    await shoot("downloads", (140, 40), keys("E"), demo=True, history=listening)
    await shoot("feed-settings", (80, 24), keys("J", "e"), demo=True)
    # Half-cell blocks: what a terminal without graphics (and tmux) shows, and what SVG can.
    images.load("halfcell")
    await shoot(
        "image",
        (140, 40),
        keys("enter"),  # the newest article: the photo one
        demo=True,
        history=a_photo_article,
        config=Config(images="on-demand"),
    )


if __name__ == "__main__":
    asyncio.run(main())
