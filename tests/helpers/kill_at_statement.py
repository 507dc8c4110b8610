"""Run the tuireader CLI and SIGKILL it as its Nth SQL statement starts.

    python kill_at_statement.py N --db PATH refresh

A fault injector for tests/test_faults.py: every SQLite connection the CLI opens gets a
trace callback that counts statements (in any thread) and kills the process at the Nth,
so the crash lands at a chosen point inside or between transactions. Nothing else changes.
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import sys
from typing import Any


def main() -> int:
    kill_at = int(sys.argv[1])
    counter = itertools.count(1)
    real_connect = sqlite3.connect

    def trace(_statement: str) -> None:
        if next(counter) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    from tuireader.cli import main as cli_main

    return cli_main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
