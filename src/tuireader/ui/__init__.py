"""tuireader's terminal interface. The CLI imports this module only to launch the TUI."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tuireader.core import Reader

__all__ = ["run_app"]


def run_app(reader: Reader, *, demo: bool = False) -> int:
    """Run the TUI on this reader until the user quits; returns the exit code."""
    from tuireader.ui.app import make_app

    app = make_app(reader, demo=demo)
    result = app.run()
    return app.return_code if app.return_code is not None else int(result or 0)
