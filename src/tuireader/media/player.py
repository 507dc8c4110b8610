"""Play an enclosure with the user's player; with mpv, remember where playback stopped.

The player is a command template from config.toml (``player = "mpv --no-video %f"``): it is
split like a shell would (``shlex``) but run without one, and ``%f`` is replaced by the file
or URL as ONE argument, so nothing from a feed is ever interpreted by a shell. With mpv, the
command also gets ``--start`` (resume) and ``--input-ipc-server``: a thread listens to mpv's
JSON IPC for ``time-pos`` and ``duration`` changes, so the position survives a quit, a crash
of the terminal, or the end of the episode.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

#: Within this many seconds of the end, an episode counts as played.
PLAYED_MARGIN_SECONDS = 15.0
#: How long to wait for mpv's IPC socket to appear before playing without position tracking.
IPC_CONNECT_SECONDS = 10.0
_STARTED_AT_REQUEST = 7


class PlayerError(Exception):
    """The player could not be started; one line for the user."""


@dataclass(frozen=True, slots=True)
class Playback:
    exit_code: int
    #: Last position mpv reported (seconds), None when the player is not mpv.
    position: float | None = None
    duration: float | None = None
    #: Where playback really started, as mpv answered once playing (best effort: None when
    #: mpv restarted before the IPC connection was up).
    started_at: float | None = None
    #: mpv said the file ended (not quit, not an error).
    reached_end: bool = False

    @property
    def finished(self) -> bool:
        if self.reached_end:
            return True
        if self.position is None or not self.duration:
            return False
        return self.position >= self.duration - min(PLAYED_MARGIN_SECONDS, self.duration * 0.05)


def default_player() -> str | None:
    """mpv without video when it is installed, else nothing (the user sets ``player``)."""
    return "mpv --no-video %f" if shutil.which("mpv") else None


def player_argv(
    template: str, target: str, *, start: float = 0.0, ipc: Path | None = None
) -> list[str]:
    """The argument list for ``template`` playing ``target``; mpv gets resume and IPC options."""
    try:
        words = shlex.split(template)
    except ValueError as error:
        raise PlayerError(f"player command is not valid: {error}") from None
    if not words:
        raise PlayerError('no player set: add player = "mpv --no-video %f" to config.toml')
    argv = [target if word == "%f" else word.replace("%f", target) for word in words]
    if "%f" not in template:
        argv.append(target)
    if is_mpv(words[0]):
        extra = []
        if start > 0:
            extra.append(f"--start={start:.1f}")
        if ipc is not None:
            extra.append(f"--input-ipc-server={ipc}")
        argv[1:1] = extra
    return argv


def is_mpv(program: str) -> bool:
    return Path(program).name in ("mpv", "mpv.exe")


def play(template: str, target: str, *, start: float = 0.0) -> Playback:
    """Run the player in the foreground (the app suspends itself around this) until it exits."""
    program = shlex.split(template)[0] if template.strip() else ""
    if not program or shutil.which(program) is None:
        raise PlayerError(f"player {program!r} not found; set player in config.toml")
    if not is_mpv(program):
        return Playback(_run(player_argv(template, target, start=start)).wait())
    with tempfile.TemporaryDirectory(prefix="tuireader-mpv-") as folder:
        ipc = Path(folder) / "mpv.sock"
        process = _run(player_argv(template, target, start=start, ipc=ipc))
        watcher = _MpvWatcher(ipc, process)
        watcher.start()
        code = process.wait()
        watcher.join(timeout=5)
        return Playback(
            code, watcher.position, watcher.duration, watcher.started_at, watcher.reached_end
        )


def _run(argv: list[str]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(argv, stdin=None, close_fds=True)
    except OSError as error:
        raise PlayerError(f"cannot start {argv[0]}: {error.strerror or error}") from None


class _MpvWatcher(threading.Thread):
    """Follows ``time-pos`` and ``duration`` over mpv's IPC socket until mpv exits."""

    def __init__(self, path: Path, process: subprocess.Popen[bytes]) -> None:
        super().__init__(name="mpv-ipc", daemon=True)
        self._path = path
        self._process = process
        self.position: float | None = None
        self.duration: float | None = None
        self.started_at: float | None = None
        self.reached_end = False
        self._sock: socket.socket | None = None

    def run(self) -> None:
        sock = self._connect()
        if sock is None:
            return
        self._sock = sock
        with sock, contextlib.suppress(OSError):
            for number, name in enumerate(("time-pos", "duration"), start=1):
                self._send({"command": ["observe_property", number, name]})
            buffer = b""
            while chunk := sock.recv(4096):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    self._take(line)

    def _connect(self) -> socket.socket | None:
        """Wait for mpv to create its socket (it does so at start-up), while it runs."""
        ready = threading.Event()
        waited = 0.0
        while self._process.poll() is None and waited < IPC_CONNECT_SECONDS:
            if self._path.exists():
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.connect(os.fspath(self._path))
                    return sock
                except OSError:
                    sock.close()
            ready.wait(0.05)
            waited += 0.05
        return None

    def _send(self, command: dict[str, object]) -> None:
        if self._sock is not None:
            self._sock.sendall(json.dumps(command).encode() + b"\n")

    def _take(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        event = message.get("event")
        if message.get("request_id") == _STARTED_AT_REQUEST:
            value = message.get("data")
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.started_at = float(value)
            return
        if event == "playback-restart" and self.started_at is None:
            # Asked, not observed: time-pos changes may be reported before the seek to
            # --start or coalesced away, but the answer to this comes after the restart.
            self._send({"command": ["get_property", "time-pos"], "request_id": _STARTED_AT_REQUEST})
        elif event == "end-file" and message.get("reason") == "eof":
            self.reached_end = True
        if event != "property-change":
            return
        value = message.get("data")
        if not isinstance(value, int | float) or isinstance(value, bool):
            return
        if message.get("name") == "time-pos":
            self.position = float(value)
        elif message.get("name") == "duration":
            self.duration = float(value)
