"""Podcast episodes and other enclosures: the download queue, playback and cleanup.

Downloads go one at a time (an episode is large; two at once on a slow line only make both
late), into ``<cache dir>/downloads`` under a readable name claimed in the store before the
first byte, so a later run resumes the same ``.part`` file.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from tuireader.config import Config
from tuireader.media.download import DownloadError, download_file, part_path
from tuireader.media.files import numbered, readable_name
from tuireader.media.player import Playback, PlayerError, default_player, play
from tuireader.store import EnclosureState, Store

#: (the enclosure, bytes on disk, expected total) while a download runs.
DownloadProgress = Callable[[EnclosureState, int, int | None], None]
#: The error of a download stopped by the user (it resumes from its ``.part`` file).
CANCELLED = "cancelled; the part downloaded so far is kept"


@dataclass(frozen=True, slots=True)
class DownloadOutcome:
    state: EnclosureState
    path: Path | None
    transferred: int
    error: str | None = None
    resumed: bool = False


class Episodes:
    def __init__(
        self,
        store: Store,
        config: Config,
        folder: Path,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.folder = folder
        self._transport = transport

    def states(self, article_id: int) -> list[EnclosureState]:
        return self.store.enclosure_states(article_id)

    def queue(self, article_ids: Sequence[int]) -> list[EnclosureState]:
        """Queue what is not here; a download whose file was deleted counts as not here."""
        for article_id in article_ids:
            for state in self.store.enclosure_states(article_id):
                if state.download == "done" and not (state.path and Path(state.path).exists()):
                    self.store.forget_download(article_id, state.url)
        return self.store.queue_downloads(article_ids)

    def downloads(self) -> list[EnclosureState]:
        """Everything queued, downloaded or failed, newest request first."""
        return self.store.downloads()

    def set_played(self, state: EnclosureState, played: bool) -> None:
        self.store.set_played(state.article_id, state.url, played)

    async def download_queued(
        self,
        *,
        on_progress: DownloadProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> list[DownloadOutcome]:
        """Download everything queued, oldest request first; failures stay resumable."""
        outcomes: list[DownloadOutcome] = []
        limits = httpx.Limits(max_connections=2)
        timeout = httpx.Timeout(self.config.timeout_seconds)
        async with httpx.AsyncClient(
            transport=self._transport,
            timeout=timeout,
            limits=limits,
            follow_redirects=True,
            max_redirects=5,
        ) as client:
            for state in self.store.download_queue():
                if cancel is not None and cancel.is_set():
                    break
                outcomes.append(await self._download(client, state, on_progress, cancel))
        return outcomes

    async def _download(
        self,
        client: httpx.AsyncClient,
        state: EnclosureState,
        on_progress: DownloadProgress | None,
        cancel: threading.Event | None = None,
    ) -> DownloadOutcome:
        path = self._claim_path(state)

        def progress(done: int, total: int | None) -> None:
            # Checked per chunk: a cancelled episode stops at once and keeps its ``.part``.
            if cancel is not None and cancel.is_set():
                raise DownloadError(CANCELLED)
            if on_progress is not None:
                on_progress(state, done, total)

        try:
            # Said before the request: a silent server shows as waiting (and C stops it), not
            # as a queue that has not started.
            progress(0, None)
            got = await download_file(
                client,
                state.url,
                path,
                max_bytes=self.config.download_max_bytes,
                on_progress=progress,
            )
        except DownloadError as error:
            have = part_path(path).stat().st_size if part_path(path).exists() else 0
            self.store.fail_download(state.article_id, state.url, error=str(error), done=have)
            return DownloadOutcome(state, None, 0, str(error))
        except asyncio.CancelledError:
            # Stopped while waiting on the network (the app's cancel key): resumable too.
            have = part_path(path).stat().st_size if part_path(path).exists() else 0
            self.store.fail_download(state.article_id, state.url, error=CANCELLED, done=have)
            raise
        self.store.finish_download(
            state.article_id, state.url, path=str(got.path), done=got.size, total=got.size
        )
        return DownloadOutcome(state, got.path, got.transferred, resumed=got.resumed)

    def _claim_path(self, state: EnclosureState) -> Path:
        if state.path:
            return Path(state.path)
        name = readable_name(state.feed_title, state.article_title, state.url, state.type)
        for number in range(1, 1000):
            candidate = self.folder / (name if number == 1 else numbered(name, number))
            if candidate.exists() or part_path(candidate).exists():
                continue
            if self.store.assign_download_path(state.article_id, state.url, str(candidate)):
                return candidate
        raise DownloadError(f"no free file name for {name!r} in {self.folder}")

    def play(self, state: EnclosureState, *, player: str | None = None) -> Playback:
        """Play the downloaded file, else stream the URL; remembers the position (mpv)."""
        template = player or self.config.player or default_player()
        if not template:
            raise PlayerError('no player found: install mpv or set player = "..." in config.toml')
        target = state.path if state.download == "done" and state.path else state.url
        if target == state.path and not Path(target).exists():
            self.store.forget_download(state.article_id, state.url)
            target = state.url
        start = 0.0 if state.played else state.position
        playback = play(template, target, start=start)
        if playback.position is not None:
            self.store.record_playback(
                state.article_id,
                state.url,
                position=0.0 if playback.finished else playback.position,
                duration=playback.duration,
                played=playback.finished or state.played,
            )
        return playback

    def remove_played(self, *, keep_days: int | None = None) -> list[Path]:
        """Delete files of episodes played more than ``keep_days`` ago; returns them."""
        days = self.config.keep_downloads_days if keep_days is None else keep_days
        removed = []
        for state in self.store.played_downloads(before=self.store.now() - timedelta(days=days)):
            if state.path:
                path = Path(state.path)
                path.unlink(missing_ok=True)
                removed.append(path)
            self.store.forget_download(state.article_id, state.url)
        return removed
