"""The episodes side of the main screen: enclosure downloads and playback, and what an
automatic refresh does after it (auto-download, one notification).

Downloads run one queue at a time in a thread worker (``asyncio.run`` of the core's queue:
the bytes go to disk, never through the event loop), posting their progress to the status
line; ``C`` stops them (the ``.part`` file stays, so ``D`` resumes). Playing suspends the
app, runs the player in the terminal and records where it stopped (mpv's IPC, in the core).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import SuspendNotSupported

from tuireader.humanize import plural
from tuireader.media.player import Playback, PlayerError
from tuireader.models import FeedError
from tuireader.store import EnclosureState
from tuireader.ui.downloading import DownloadRun, DownloadStep, downloading_text, short_title
from tuireader.ui.screens.base import Done, one_line
from tuireader.ui.screens.downloads import DownloadsScreen, EpisodeAction
from tuireader.ui.screens.imageflow import ImageFlow

if TYPE_CHECKING:
    # httpx comes with the episodes' downloader: loaded with the first download.
    from tuireader.media.episodes import DownloadOutcome


class MediaFlow(ImageFlow):
    _download_run: DownloadRun | None = None
    _downloading = False
    #: The running download's latest progress (for the queue dialog when it opens).
    _last_step: DownloadStep | None = None

    # --- downloads ---

    def action_download(self) -> None:
        """The current article's enclosures, or those of every selected article (``v``)."""
        ids = self.target_ids()
        if not ids:
            self.notify("Select an article with an enclosure to download it.")
            return
        self.drop_selection()
        reader = self.reader

        def job() -> tuple[list[EnclosureState], bool]:
            reader.check_online()
            queued = reader.episodes.queue(ids)
            return queued, bool(queued) or any(reader.episodes.states(i) for i in ids)

        self.in_thread(job, lambda done: self._queued(*done), group="media")

    def _queued(self, states: list[EnclosureState], has_enclosures: bool) -> None:
        if not states:
            self.notify(
                "Nothing to download: every enclosure here is downloaded already."
                if has_enclosures
                else "Nothing to download: no enclosure (podcast episode or file) here."
            )
            return
        self.refresh_media()
        if self._downloading:
            self.notify(f"Queued {plural(len(states), 'file')}: after the running download.")
        else:
            self.start_downloads()

    def start_downloads(self) -> None:
        """Download the queue (and what is queued meanwhile) in a thread worker."""
        self._downloading = True
        self.refresh_bindings()  # the footer's episode keys show while it runs
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
        self._last_step = step
        self.status_line.downloading(downloading_text(step.state, step.done, step.total))
        self.media_block.set_progress(step.state.url, step.done, step.total)
        screen = self.app.screen
        if isinstance(screen, DownloadsScreen):
            screen.set_progress(step.state, step.done, step.total)

    def _downloads_done(self, outcomes: list[DownloadOutcome], failure: str | None) -> None:
        from tuireader.media.episodes import CANCELLED

        cancelled = self._download_run is not None and self._download_run.cancelled.is_set()
        self._downloading = False
        self._download_run = None
        self.refresh_bindings()
        fetched = [o for o in outcomes if not o.error]
        failed = [o for o in outcomes if o.error and o.error != CANCELLED]
        # Past tense: the line stays after the queue ends, and must not read as running.
        words = f"Downloaded {plural(len(fetched), 'file')}" if fetched else "Nothing downloaded"
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
        step = self._last_step if self._downloading else None
        progress = {step.state.url: (step.done, step.total)} if step is not None else {}
        self.app.push_screen(DownloadsScreen(self.reader, self._episode_action, progress))

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

    # --- hooks the other flows fill in (selectflow) ---

    def target_ids(self) -> list[int]:
        """The selected articles, else the current one."""
        raise NotImplementedError

    def drop_selection(self) -> bool:
        raise NotImplementedError

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
        if not (state.download == "done" and state.path):
            try:
                self.reader.check_online()  # streaming is fetching: never in the demo
            except FeedError as error:
                self.notify(one_line(error), severity="error", timeout=8)
                return

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
            minutes, seconds = divmod(round(playback.position), 60)
            self.notify(f"Stopped {title} at {minutes}:{seconds:02}: P resumes there.")
        elif playback is not None and playback.exit_code != 0:
            self.notify(f"The player exited with status {playback.exit_code}.", severity="warning")
        self._played_set()

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
