"""Commands run in the background (``terminal = false``): what the app shows and keeps."""

from __future__ import annotations

import os
import resource
import sys
from dataclasses import replace

from tuireader.ui.commandrun import BackgroundRuns, prepare, run_in_background


def background(line: str, stdin: bytes | None = None) -> str:
    prepared = prepare(None, line, None, env=dict(os.environ))
    if stdin is not None:
        prepared = replace(prepared, stdin=stdin)
    outcome = run_in_background(prepared, BackgroundRuns())
    return outcome.line


def test_the_last_line_of_the_output_is_shown() -> None:
    assert background("printf 'one\\ntwo\\n'") == "\"printf 'one\\\\ntwo\\\\n'\": two"


def test_the_article_reaches_stdin() -> None:
    assert background("wc -c", b"x" * 300_000).endswith(": 300000")


def test_a_failure_says_the_last_line_of_stderr() -> None:
    line = background("echo why >&2; exit 3")
    assert line.endswith("failed (exit status 3): why")


def test_a_chatty_command_does_not_fill_memory() -> None:
    """Only the last line is shown; before, all 200 MB of this output were held at once."""
    size = 200 * 1024 * 1024
    script = f"import sys; sys.stdout.buffer.write(b'y\\n' * {size // 2}); print('the end')"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    line = background(f'{sys.executable} -c "{script}"')
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert line.endswith(": the end")
    assert grown < size // 1024 // 4
