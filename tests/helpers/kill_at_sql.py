"""Run the tuireader CLI and SIGKILL it as a chosen SQL statement starts.

    python kill_at_sql.py "DELETE FROM sync_queue" N --db PATH sync

Kills at the Nth statement (any thread) that contains the text, so a test can crash a
sync at a known point: after the server took the queue but before we forgot it, or in
the middle of storing pulled pages. Nothing else changes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from typing import Any


def main() -> int:
    needle, nth = sys.argv[1], int(sys.argv[2])
    seen = 0
    real_connect = sqlite3.connect

    def trace(statement: str) -> None:
        nonlocal seen
        if needle in statement:
            seen += 1
            if seen == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    from tuireader.cli import main as cli_main

    return cli_main(sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
