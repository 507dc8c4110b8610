"""The ``tuireader`` command and ``python -m tuireader``: one way in for both.

The garbage collector stays off while the app starts: its passes over the objects the
imports and the first layout make cost more than one pass afterwards. ``cli.main`` turns it
back on at once for every command but the app, which does after its first paint.
"""

from __future__ import annotations

import gc


def run() -> int:
    gc.disable()
    from tuireader.cli import main

    return main()
