"""A running download queue, as the app follows it: its progress messages, its one-line
status, and the handle that stops it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message

from tuireader.humanize import format_bytes
from tuireader.sanitize import clean_line
from tuireader.store import EnclosureState

if TYPE_CHECKING:
    from tuireader.media.episodes import DownloadOutcome


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
    """``Downloading Winter light: 4.1 MB of 30 MB`` (C cancels); before the first byte
    (``done`` 0, no total yet), ``Waiting for the server: Winter light``."""
    if not done and total is None:
        text = Text("⤓ Waiting for the server: ", style="bold")
        text.append(short_title(state.article_title))
        text.append(" · C cancels", style="dim")
        return text
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
