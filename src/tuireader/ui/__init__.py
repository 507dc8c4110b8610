"""tuireader's terminal interface. The CLI imports this module only to launch the TUI."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuireader.core import Reader

__all__ = ["run_app"]


def run_app(reader: Reader, *, demo: bool = False) -> int:
    """Run the TUI on this reader until the user quits; returns the exit code."""
    loading = None
    if reader.config.images != "off":
        # textual-image queries the terminal as it loads: in a thread while the app module
        # imports, finished before the app takes the terminal (never when images are off).
        from tuireader.ui import images

        loading = images.start_loading()
    from tuireader.ui.app import make_app

    app = make_app(reader, demo=demo)
    if loading is not None:
        loading.join()
    result = app.run()
    return app.return_code if app.return_code is not None else int(result or 0)
