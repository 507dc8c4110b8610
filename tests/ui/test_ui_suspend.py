"""A [commands] key and ``!`` for real: the app in a pseudo-terminal hands the terminal to
the program (suspended: cooked mode, the normal screen) and takes it back after.

The pilot cannot suspend (it has no terminal), so this runs ``python -m tuireader`` in a
pty, types keys into it and reads what it writes. Every wait is for something the app or
the program does, bounded by a deadline; none is a sleep.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest
from uihelpers import build_reader

from tuireader.store import ArticleQuery

ALT_SCREEN = b"\x1b[?1049h"
DEADLINE = 90.0


class Terminal:
    """A child process on a pty: what it wrote so far, and keys typed into it."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the app, on the pty
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
        self.output = b""

    def read_until(self, done: object, what: str) -> None:
        """Read until ``done(output)`` holds; fail after DEADLINE seconds."""
        end = time.monotonic() + DEADLINE
        while not done(self.output):  # type: ignore[operator]
            left = end - time.monotonic()
            if left <= 0:
                tail = self.output[-600:].decode("utf-8", "replace")
                raise AssertionError(f"timed out waiting for {what}; last output: {tail!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the child closed the pty
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the app exited while waiting for {what}")
                self.output += chunk

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait_exit(self) -> int:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 1)
            if ready:
                try:
                    if not os.read(self.fd, 65536):
                        break
                except OSError:
                    break
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def app_env(config: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TERM="xterm-256color", TUIREADER_CONFIG_DIR=str(config), COLUMNS="140", LINES="40")
    src = Path(__file__).resolve().parents[2] / "src"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
    env.pop("TEXTUAL", None)
    return env


@pytest.mark.skipif(sys.platform == "win32", reason="ptys are Unix")
def test_a_command_key_and_bang_run_with_the_app_suspended(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    reader = build_reader(db)
    titles = {row.title for row in reader.summaries(reader.article_ids(ArticleQuery()))}
    reader.close()
    config = tmp_path / "config"
    config.mkdir()
    out = tmp_path / "out"
    (config / "config.toml").write_text(
        "[commands]\n"
        f"P = \"sh -c 'stty -a < /dev/tty > {out}.stty; "
        f"test -t 1 && echo tty > {out}.stdout; cat > {out}.stdin'\"\n",
        encoding="utf-8",
    )
    term = Terminal([sys.executable, "-m", "tuireader", "--db", str(db)], app_env(config))
    try:
        term.read_until(lambda o: ALT_SCREEN in o and b"Gazette" in o, "the first screen")
        term.type("P")
        term.read_until(lambda o: o.count(ALT_SCREEN) >= 2, "the app to come back")
        # While the program ran the terminal was the user's again: cooked mode, echo on.
        stty = Path(f"{out}.stty").read_text()
        assert " icanon" in stty and "-icanon" not in stty
        assert " echo " in stty or stty.count(" echo") > stty.count("-echo ")
        assert Path(f"{out}.stdout").read_text().strip() == "tty"
        piped = Path(f"{out}.stdin").read_text()
        assert any(title in piped for title in titles)
        # ! : a typed command, then "press enter" before the app comes back.
        term.type("!")
        term.read_until(lambda o: b"Run a command" in o, "the command prompt")
        term.type(f"sh -c 'echo bang-ran > {out}.bang'\r")
        term.read_until(lambda o: b"press enter to go back" in o, "the enter prompt")
        assert Path(f"{out}.bang").read_text() == "bang-ran\n"
        assert term.output.count(ALT_SCREEN) == 2  # still suspended: it waits for enter
        term.type("\r")
        term.read_until(lambda o: o.count(ALT_SCREEN) >= 3, "the app after enter")
        term.type("q")
        assert term.wait_exit() == 0
    finally:
        term.kill()
