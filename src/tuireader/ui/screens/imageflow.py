"""The reading pane's media block on the main screen: reading it again when something
changed (a download ended, the images setting), and its images: fetched in a thread when
``auto`` wants them or a line is chosen, each shown (or refused, with why) as it arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on
from textual.app import SuspendNotSupported

from tuireader.ui import images
from tuireader.ui.media import ImageItem, MediaInfo, image_item, next_images_mode, prepare_media
from tuireader.ui.screens.base import Done, ScreenBase, one_line
from tuireader.ui.widgets.media_block import ImageLine, MediaBlock

if TYPE_CHECKING:
    from tuireader.media.images import ImageRef, ImagesFetched  # httpx: not at start-up

IMAGE_MODE_WORDS = {
    "off": "Images off",
    "on-demand": "Images on demand: enter on an image line loads it",
    "auto": "Images load with each article",
}


class ImageFlow(ScreenBase):
    @property
    def media_block(self) -> MediaBlock:
        return self.query_one(MediaBlock)

    # --- the media block of the open article ---

    def refresh_media(self) -> None:
        """Read the open article's enclosures and images again (a download ended, ...)."""
        shown = self.reader_pane.shown
        if shown is None or shown.head:
            return
        reader, article, markdown = self.reader, shown.article, shown.markdown
        self.in_thread(
            lambda: prepare_media(reader, article.id, article.feed_id, markdown),
            self._media_ready,
            group="media-info",
            exclusive=True,
        )

    def _media_ready(self, info: MediaInfo) -> None:
        shown = self.reader_pane.shown
        if shown is None or shown.article.id != info.article_id:
            return
        self.reader_pane.shown = replace(shown, media=info)
        self.media_block.show(info)

    @on(MediaBlock.Shown)
    def _media_shown(self, event: MediaBlock.Shown) -> None:
        info = event.info
        if info.images_mode == "auto" and not self.reader.demo:  # the demo never fetches
            missing = [item.ref for item in info.images if not item.stored]
            if missing:
                self._fetch_images(info.article_id, missing)

    @on(ImageLine.Activated)
    def _image_activated(self, event: ImageLine.Activated) -> None:
        info = self.media_block.info
        if info is None or info.article_id != event.article_id:
            return
        wanted = [i.ref for i in info.images if i.ref.url == event.url]
        self._fetch_images(event.article_id, wanted, retry=True)

    def _image_cost(self, got: ImagesFetched) -> None:
        self.status_line.images_fetched(got.fetched, got.bytes_downloaded)

    def _fetch_images(
        self, article_id: int, wanted: Sequence[ImageRef], *, retry: bool = False
    ) -> None:
        """Fetch images one by one in a thread; each shows (or says why not) as it comes.
        ``retry``: the reader asked, so one refused before is fetched again."""
        reader = self.reader
        shown = self.reader_pane.shown
        if shown is None:
            return
        markdown = shown.markdown

        def show(item: ImageItem) -> None:
            self.media_block.image_loaded(article_id, item)

        async def fetch_all() -> None:
            for ref in wanted:
                got = await reader.fetch_images(article_id, [ref], retry=retry)
                if got.bytes_downloaded:
                    self.post_message(Done(self._image_cost, got))
                stored = dict(await asyncio.to_thread(reader.article_images, article_id, markdown))
                item = image_item(ref, stored.get(ref), fetched=True)
                self.post_message(Done(show, item))
                done.add(ref.url)

        def job() -> None:
            try:
                reader.check_online()
                asyncio.run(fetch_all())
            except Exception as error:  # offline, the demo...: said on each line left
                for ref in wanted:
                    if ref.url not in done:  # not stored: enter tries again
                        self.post_message(Done(show, ImageItem(ref, error=one_line(error))))

        done: set[str] = set()
        self.media_block.mark_fetching(article_id, [ref.url for ref in wanted])
        self.in_thread(job, group="images")

    # --- the images setting ---

    def action_cycle_images(self) -> None:
        mode = next_images_mode(self.reader.config.images)
        if mode != "off" and not images.loaded() and not self._load_image_support():
            return
        reader = self.reader
        reader.config = replace(reader.config, images=mode)
        self.status_line.images_mode(mode)
        self.notify(IMAGE_MODE_WORDS[mode], timeout=4)
        self.in_thread(lambda: reader.save_setting("images", mode), group="settings")
        self.refresh_media()

    def _load_image_support(self) -> bool:
        """textual-image asks the terminal questions as it loads: with the app suspended, so
        the answers reach it and not the app's key reader."""
        try:
            try:
                with self.app.suspend():
                    images.load()
            except SuspendNotSupported:
                images.load()  # no terminal to ask (tests): it draws in text
        except Exception as error:  # a library failing must not end the app
            self.notify(f"Images cannot be shown here: {one_line(error)}", severity="error")
            return False
        return True
