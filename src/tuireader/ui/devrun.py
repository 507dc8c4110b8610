"""Run the TUI on a scratch copy of the demo library: ``python -m tuireader.ui.devrun [db]``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tuireader.core import make_reader
from tuireader.ui import run_app


def main() -> int:
    if len(sys.argv) > 1:
        return run_app(make_reader(db_path=Path(sys.argv[1])))
    with tempfile.TemporaryDirectory() as scratch:
        reader = make_reader(db_path=Path(scratch) / "demo.db")
        reader.load_demo()
        return run_app(reader, demo=True)


if __name__ == "__main__":
    raise SystemExit(main())
