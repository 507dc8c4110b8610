"""Snapshots of the media side: a podcast episode's lines, an article with an image (half-cell
blocks), the download queue. The demo library, a fixed clock, states set in the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from test_ui_images import picture
from textual.pilot import Pilot
from uihelpers import AppFactory, main, settle

from tuireader.core import Reader
from tuireader.models import ParsedEntry, ParsedFeed
from tuireader.store import ArticleQuery
from tuireader.ui import images

SnapCompare = Callable[..., bool]


def episodes(reader: Reader) -> list[int]:
    """The demo podcast's episodes, newest first."""
    rows = reader.articles(ArticleQuery(), limit=500)
    return [a.id for a in rows if "Long Wave" in a.feed_title]


def listening_history(reader: Reader) -> None:
    """One episode downloaded and half heard, one played, one failed, one queued."""
    store = reader.store
    first, second, third, fourth = episodes(reader)[:4]
    store.queue_downloads([first, second, third, fourth])
    for article_id, size in ((first, 39_557_120), (second, 35_332_096)):
        [state] = store.enclosure_states(article_id)
        store.finish_download(
            article_id, state.url, path=f"/downloads/{article_id}.mp3", done=size, total=size
        )
    [state] = store.enclosure_states(first)
    store.record_playback(first, state.url, position=750.0, duration=2472.0, played=False)
    [state] = store.enclosure_states(second)
    store.record_playback(second, state.url, position=0.0, duration=2208.0, played=True)
    [state] = store.enclosure_states(third)
    store.fail_download(third, state.url, error="HTTP 404 Not Found", done=0)


@pytest.fixture
def halfcell() -> Iterator[None]:
    before = images.widget_class()
    images.load("halfcell")
    yield
    images._widget = before


def test_a_podcast_episode(
    reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare
) -> None:
    listening_history(reader)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        main(pilot.app).open_article(episodes(reader)[0])
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)


def test_the_download_queue(
    reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare
) -> None:
    listening_history(reader)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)

    assert snap_compare(app_factory(reader), terminal_size=(140, 40), run_before=run_before)


def test_an_article_with_an_image(
    reader: Reader, app_factory: AppFactory, snap_compare: SnapCompare, halfcell: None
) -> None:
    from dataclasses import replace

    reader.config = replace(reader.config, images="on-demand")
    url = "https://photos.example/lighthouse.png"
    feed = reader.store.add_feed("https://photos.example/feed.xml", folder="Photos")
    entry = ParsedEntry(
        title="The lighthouse at dusk",
        guid="p1",
        link="https://photos.example/1",
        published=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        content_html=f'<p>The keeper lit the lamp at four.</p><img src="{url}" alt="Dusk">'
        '<p>By five the beam reached the far shore.</p><img src="https://photos.example/b.jpg"'
        ' alt="The beam">',
    )
    reader.store.store_feed(
        feed.id,
        ParsedFeed(title="Coast Photos", entries=(entry,)),
        body_hash="1",
        etag=None,
        last_modified=None,
        bytes_downloaded=0,
    )
    [article_id] = reader.store.article_ids(ArticleQuery(feed_id=feed.id))
    data = picture(96, 64)
    reader.store.save_image(
        article_id, url, data=data, format="PNG", width=96, height=64, error=None,
        bytes_downloaded=len(data),
    )  # fmt: skip

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        main(pilot.app).open_article(article_id)
        await settle(pilot)

    app = app_factory(reader, demo=True)
    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)
