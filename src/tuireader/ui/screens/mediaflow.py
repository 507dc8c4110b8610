"""The media side of the main screen: enclosure downloads and playback, images, and the
notification after an automatic refresh.

Downloads run one queue at a time in a thread worker (``asyncio.run`` of the core's queue:
the bytes go to disk, never through the event loop), posting their progress to the status
line; ``C`` stops them (the ``.part`` file stays, so ``D`` resumes). Playing suspends the
app, runs the player in the terminal and records where it stopped (mpv's IPC, in the core).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on
from textual.app import SuspendNotSupported
from textual.message import Message

from tuireader.humanize import format_bytes, plural
from tuireader.media.episodes import CANCELLED, DownloadOutcome
from tuireader.media.images import ImageRef
from tuireader.media.player import Playback, PlayerError
from tuireader.sanitize import clean_line
from tuireader.store import EnclosureState
from tuireader.ui import images
from tuireader.ui.media import ImageItem, MediaInfo, image_item, next_images_mode, prepare_media
from tuireader.ui.screens.base import Done, ScreenBase, one_line
from tuireader.ui.screens.downloads import DownloadsScreen, EpisodeAction
from tuireader.ui.widgets.media_block import ImageLine, MediaBlock

IMAGE_MODE_WORDS = {
    "off": "Images off",
    "on-demand": "Images on demand: enter on an image line loads it",
    "auto": "Images load with each article",
}


@dataclass
class DownloadStep(Message):
    """Bytes of the running download so far (many a second: each replaces the last)."""

    state: EnclosureState
    done: int
    total: int | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DownloadStep) and message.state.url == self.state.url


def short_title(title: str, limit: int = 40) -> str:
    line = clean_line(title) or "untitled"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def downloading_text(state: EnclosureState, done: int, total: int | None) -> Text:
    """``Downloading Winter light: 4.1 MB of 30 MB`` (C cancels)."""
    text = Text("⤓ Downloading ", style="bold")
    text.append(short_title(state.article_title))
    text.append(f": {format_bytes(done)}" + (f" of {format_bytes(total)}" if total else ""))
    text.append(" · C cancels", style="dim")
    return text


class DownloadRun:
    """A running download queue, which the app's cancel key stops at once: between
    chunks, and also while it waits on a silent server (its task is cancelled)."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[object] | None = None

    async def watch(
        self, work: Coroutine[object, object, list[DownloadOutcome]]
    ) -> list[DownloadOutcome]:
        """Run ``work`` (the core's queue) so :meth:`cancel` can stop it; [] once stopped."""
        with self._lock:
            self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        try:
            return await work
        except asyncio.CancelledError:
            if not self.cancelled.is_set():
                raise
            return []
        finally:
            with self._lock:
                self._loop = self._task = None

    def cancel(self) -> None:
        """From the event loop: stop the queue (the file's ``.part`` stays: D resumes)."""
        self.cancelled.set()
        with self._lock:
            if self._loop is not None and self._task is not None:
                self._loop.call_soon_threadsafe(self._task.cancel)


class MediaFlow(ScreenBase):
    _download_run: DownloadRun | None = None
    _downloading = False

    @property
    def media_block(self) -> MediaBlock:
        return self.query_one(MediaBlock)

    # --- downloads ---

    def action_download(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            self.notify("Select an article with an enclosure to download it.")
            return
        reader = self.reader

        def job() -> list[EnclosureState]:
            reader.check_online()
            return reader.episodes.queue([article_id])

        self.in_thread(job, self._queued, group="media")

    def _queued(self, states: list[EnclosureState]) -> None:
        if not states:
            self.notify("Nothing to download: this article has no enclosure that is not here.")
            return
        self.refresh_media()
        if self._downloading:
            self.notify(f"Queued {plural(len(states), 'file')}: after the running download.")
        else:
            self.start_downloads()

    def start_downloads(self) -> None:
        """Download the queue (and what is queued meanwhile) in a thread worker."""
        self._downloading = True
        run = self._download_run = DownloadRun()
        episodes = self.reader.episodes

        def progress(state: EnclosureState, done: int, total: int | None) -> None:
            self.post_message(DownloadStep(state, done, total))

        def job() -> tuple[list[DownloadOutcome], str | None]:
            outcomes: list[DownloadOutcome] = []
            try:
                while not run.cancelled.is_set():
                    batch = asyncio.run(
                        run.watch(
                            episodes.download_queued(on_progress=progress, cancel=run.cancelled)
                        )
                    )
                    if not batch:
                        break
                    outcomes.extend(batch)
            except Exception as error:  # the queue stays; said in one line
                return outcomes, one_line(error)
            return outcomes, None

        self.in_thread(lambda: job(), lambda done: self._downloads_done(*done), group="download")

    @on(DownloadStep)
    def _download_step(self, step: DownloadStep) -> None:
        if not self._downloading:
            return  # a step that arrived after the end
        self.status_line.downloading(downloading_text(step.state, step.done, step.total))
        self.media_block.set_progress(step.state.url, step.done, step.total)
        screen = self.app.screen
        if isinstance(screen, DownloadsScreen):
            screen.set_progress(step.state, step.done, step.total)

    def _downloads_done(self, outcomes: list[DownloadOutcome], failure: str | None) -> None:
        cancelled = self._download_run is not None and self._download_run.cancelled.is_set()
        self._downloading = False
        self._download_run = None
        fetched = [o for o in outcomes if not o.error]
        failed = [o for o in outcomes if o.error and o.error != CANCELLED]
        words = f"{plural(len(fetched), 'download')}"
        if failed:
            words += f", {len(failed)} failed"
        self.status_line.downloading(Text("⤓ " + words + (" · cancelled" if cancelled else "")))
        if failure is not None:
            self.notify(f"Downloads stopped: {failure}", severity="error", timeout=8)
        for outcome in failed:
            title = short_title(outcome.state.article_title)
            self.notify(
                f"Download failed: {title}: {one_line(outcome.error or '')}",
                severity="error",
                timeout=8,
            )
        if cancelled:
            self.notify("Download cancelled: D resumes it where it stopped.")
        elif fetched:
            named = short_title(fetched[-1].state.article_title)
            self.notify(f"Downloaded {named}" if len(fetched) == 1 else f"Downloaded {words}")
        self.refresh_media()
        screen = self.app.screen
        if isinstance(screen, DownloadsScreen):
            screen.reload()

    def stop_downloads(self) -> None:
        if self._download_run is not None:
            self._download_run.cancel()

    def action_cancel_download(self) -> None:
        if self._download_run is None:
            self.notify("No download is running.")
            return
        self._download_run.cancel()

    def action_downloads(self) -> None:
        self.app.push_screen(DownloadsScreen(self.reader, self._episode_action))

    def _episode_action(self, action: EpisodeAction) -> None:
        if action.kind == "play":
            self.play(action.state)
            return
        episodes, state = self.reader.episodes, action.state
        self.in_thread(
            lambda: episodes.set_played(state, not state.played), lambda _: self._played_set()
        )

    def _played_set(self) -> None:
        self.refresh_media()
        screen = self.app.screen
        if isinstance(screen, DownloadsScreen):
            screen.reload()

    # --- playing ---

    def action_play(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            self.notify("Select an article with an enclosure to play it.")
            return
        episodes = self.reader.episodes
        self.in_thread(lambda: episodes.states(article_id), self._play_first, group="media")

    def _play_first(self, states: Sequence[EnclosureState]) -> None:
        if not states:
            self.notify("This article has no enclosure to play.")
            return
        # The first one not played yet (an episode with extras plays the episode first).
        self.play(next((s for s in states if not s.played), states[0]))

    def play(self, state: EnclosureState) -> None:
        """Hand the terminal to the player until it exits, then say where it stopped.

        The event loop waits while the app is suspended: the player owns the terminal then
        and nothing on screen could change anyway. Without a terminal to hand over (tests,
        a web driver) the player runs in a thread instead.
        """
        episodes = self.reader.episodes

        def run() -> tuple[Playback | None, str | None]:
            try:
                return episodes.play(state), None
            except PlayerError as error:
                return None, one_line(error)

        try:
            with self.app.suspend():
                result = run()
        except SuspendNotSupported:
            self.in_thread(run, lambda done: self._played(state, *done), group="player")
            return
        self._played(state, *result)

    def _played(self, state: EnclosureState, playback: Playback | None, error: str | None) -> None:
        title = short_title(state.article_title)
        if error is not None:
            self.notify(error, severity="error", timeout=8)
        elif playback is not None and playback.finished:
            self.notify(f"Played {title}.")
        elif playback is not None and playback.position is not None:
            minutes, seconds = divmod(int(playback.position), 60)
            self.notify(f"Stopped {title} at {minutes}:{seconds:02}: P resumes there.")
        elif playback is not None and playback.exit_code != 0:
            self.notify(f"The player exited with status {playback.exit_code}.", severity="warning")
        self._played_set()

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
        self._fetch_images(event.article_id, [i.ref for i in info.images if i.ref.url == event.url])

    def _fetch_images(self, article_id: int, wanted: Sequence[ImageRef]) -> None:
        """Fetch images one by one in a thread; each shows (or says why not) as it comes."""
        reader = self.reader
        shown = self.reader_pane.shown
        if shown is None:
            return
        markdown = shown.markdown

        def show(item: ImageItem) -> None:
            self.media_block.image_loaded(article_id, item)

        async def fetch_all() -> None:
            for ref in wanted:
                await reader.fetch_images(article_id, [ref])
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

    # --- after a refresh ---

    def after_refresh(self, last_id: int, *, automatic: bool) -> None:
        """New episodes of auto-download feeds download; an automatic refresh notifies of
        what it brought, batched into one notification (the ``notify`` setting)."""
        reader, notify = self.reader, self.ctx.desktop_notify

        def job() -> bool:
            note = reader.new_articles_note(last_id) if automatic else None
            if note is not None:
                self.post_message(Done(notify, note))
            episodes = reader.new_episode_ids(last_id)
            return bool(episodes and reader.episodes.queue(episodes))

        def queued(any_queued: bool) -> None:
            if any_queued and not self._downloading:
                self.start_downloads()

        self.in_thread(job, queued, group="after-refresh")
