"""Running the user's commands from the app: on the terminal, or in the background.

Kept free of Textual so it can be tried for real in a pseudo-terminal. What a command gets
is made ready first, off the event loop (:func:`prepare`: the store is read there); the
app then either hands the terminal over (``App.suspend()``) and calls :func:`run_on_terminal`,
or calls :func:`run_in_background` in a worker. Each returns one line to show.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO

from tuireader.core import Reader
from tuireader.sanitize import clean_line
from tuireader.usercommands import STDERR_TAIL, article_env, article_input, command_argv

#: What a typed command (``!``, ``|``) shows once it is done, as mutt does.
PRESS_ENTER = "\n[tuireader] press enter to go back "


@dataclass(frozen=True, slots=True)
class Prepared:
    """One run of a command: its argv, environment and stdin (None: the terminal's)."""

    line: str
    argv: list[str]
    env: dict[str, str]
    stdin: bytes | None


@dataclass(frozen=True, slots=True)
class Outcome:
    line: str
    failed: bool


def prepare(
    reader: Reader | None,
    line: str,
    article_id: int | None,
    *,
    as_json: bool = False,
    stdin: bool = True,
    env: Mapping[str, str] | None = None,
) -> Prepared:
    """The argv, the article's ``TUIREADER_*`` variables and (``stdin``) its text or JSON.

    Blocking (reads the store). Without an article (``!`` on an empty list) the command
    runs with no ``TUIREADER_*`` variables. Raises ``CommandError`` when it is gone.
    """
    environment = dict(env if env is not None else os.environ)
    data: bytes | None = None
    if reader is not None and article_id is not None:
        article, text = article_input(reader, article_id, as_json=as_json)
        environment.update(article_env(article))
        if stdin:
            data = text.encode("utf-8", "replace")
    return Prepared(line, command_argv(line), environment, data)


def _name(line: str) -> str:
    return repr(clean_line(line)[:60])


def _failure(prepared: Prepared, code: int, stderr: bytes = b"") -> Outcome:
    if code == 127:  # sh -c says "not found" with this status
        return Outcome(f"{_name(prepared.line)}: command not found", True)
    tail = stderr[-STDERR_TAIL:].decode("utf-8", "replace").strip().splitlines()
    why = f": {clean_line(tail[-1])}" if tail else ""
    return Outcome(f"{_name(prepared.line)} failed (exit status {code}){why}", True)


def _started(
    prepared: Prepared, start: Callable[[], subprocess.CompletedProcess[bytes]]
) -> subprocess.CompletedProcess[bytes] | Outcome:
    try:
        return start()
    except FileNotFoundError:
        return Outcome(f"{clean_line(prepared.argv[0])[:60]}: command not found", True)
    except OSError as error:
        return Outcome(f"{clean_line(prepared.argv[0])[:60]}: {error.strerror or error}", True)


def run_on_terminal(
    prepared: Prepared,
    *,
    wait: bool = False,
    tty_in: IO[str] | None = None,
    tty_out: IO[str] | None = None,
) -> Outcome:
    """Run with the terminal: its stdout and stderr are the terminal's; stdin is the
    article (or the terminal's). With ``wait``, ask for enter before going back, so the
    output of a short command stays readable (``!``, ``|``). Blocks until it exits."""
    done = _started(
        prepared,
        lambda: subprocess.run(
            prepared.argv,
            input=prepared.stdin,
            stdin=None,
            env=prepared.env,
            check=False,
        ),
    )
    if wait and tty_in is not None and tty_out is not None:
        tty_out.write(PRESS_ENTER)
        tty_out.flush()
        tty_in.readline()
    if isinstance(done, Outcome):
        return done
    if done.returncode != 0:
        return _failure(prepared, done.returncode)
    return Outcome(f"{_name(prepared.line)} done", False)


class BackgroundRuns:
    """The background commands running now. The app ends them when it quits: else it
    waited for them, on a blank terminal, as long as they ran (forever for a hung one)."""

    def __init__(self) -> None:
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def completed(self, prepared: Prepared) -> subprocess.CompletedProcess[bytes]:
        # A session of its own: stop() ends what a shell started too.
        process = subprocess.Popen(
            prepared.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=prepared.env,
            start_new_session=True,
        )
        with self._lock:
            self._running.add(process)
        try:
            out, err = _communicate_tails(process, prepared.stdin or b"", STDERR_TAIL)
        finally:
            with self._lock:
                self._running.discard(process)
        return subprocess.CompletedProcess(prepared.argv, process.returncode, out, err)

    def stop(self) -> None:
        with self._lock:
            running = list(self._running)
        for process in running:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)


def _communicate_tails(
    process: subprocess.Popen[bytes], data: bytes, keep: int
) -> tuple[bytes, bytes]:
    """``communicate()`` keeping only the last ``keep`` bytes of stdout and of stderr: only
    the last line is shown, and a chatty command (``yes``, a log follower) would otherwise
    fill the app's memory with output nobody reads."""
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    tails: dict[str, bytes] = {}

    def feed(stream: IO[bytes]) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):  # it stopped reading: fine
            stream.write(data)
        with contextlib.suppress(BrokenPipeError, OSError):
            stream.close()

    def drain(name: str, stream: IO[bytes]) -> None:
        tail = bytearray()
        while chunk := os.read(stream.fileno(), 65536):
            tail += chunk
            if len(tail) > 4 * keep:
                del tail[:-keep]
        stream.close()
        tails[name] = bytes(tail[-keep:])

    helpers = [
        threading.Thread(target=feed, args=(process.stdin,), daemon=True),
        threading.Thread(target=drain, args=("err", process.stderr), daemon=True),
    ]
    for helper in helpers:
        helper.start()
    drain("out", process.stdout)
    for helper in helpers:
        helper.join()
    process.wait()
    return tails["out"], tails["err"]


def run_in_background(prepared: Prepared, runs: BackgroundRuns | None = None) -> Outcome:
    """Run with no terminal (in a worker): the output's last line, or why it failed."""
    done = _started(prepared, lambda: (runs or BackgroundRuns()).completed(prepared))
    if isinstance(done, Outcome):
        return done
    if done.returncode != 0:
        return _failure(prepared, done.returncode, done.stderr)
    lines = done.stdout[-STDERR_TAIL:].decode("utf-8", "replace").strip().splitlines()
    last = clean_line(lines[-1])[:200] if lines else "done (no output)"
    return Outcome(f"{_name(prepared.line)}: {last}", False)
