"""tuireader's terminal interface. The CLI imports this module only to launch the TUI."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuireader.core import Reader

__all__ = ["run_app"]


def run_app(reader: Reader, *, demo: bool = False) -> int:
    """Run the TUI on this reader until the user quits; returns the exit code."""
    # Threads that must finish before the app takes the terminal, started first so they
    # overlap the app modules' import instead of adding to it.
    loading = [_start_thread(_start_resource_tracker, "resource-tracker")]
    if reader.config.images != "off":
        # textual-image queries the terminal as it loads: in a thread while the app module
        # imports, finished before the app takes the terminal (never when images are off).
        from tuireader.ui import images

        loading.append(images.start_loading())
    from tuireader.ui.app import make_app

    app = make_app(reader, demo=demo)  # its own start of the tracker finds it running
    for thread in loading:
        thread.join()
    try:
        result = app.run()
    finally:
        gc.enable()  # the app turns it on after its first paint; not if it ended before
    return app.return_code if app.return_code is not None else int(result or 0)


def _start_resource_tracker() -> None:
    """multiprocessing's resource tracker (see ``ui.app.start_helper_processes``): its
    start forks and waits for a new interpreter, 50-70 ms the main thread need not wait."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def _start_thread(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
