"""The account's password: run the user's command, or read our own 0600 file.

The password never goes into config.toml or the database: ``--password-command`` stores
the command (newsboat's ``*-passwordeval`` habit, e.g. ``pass show freshrss``) and
``--password-stdin`` writes the secret to a file of its own, created readable only by
the user. Errors name the command's exit status, never its output.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from tuireader.sync.types import SyncAccount, SyncError

COMMAND_TIMEOUT = 60.0


def write_secret_file(path: Path, secret: str) -> None:
    """Replace ``path`` with ``secret``, mode 0600 from the moment it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secret.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def remove_secret_file(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def read_password(account: SyncAccount) -> str:
    if account.password_command:
        return run_password_command(account.password_command)
    if account.password_file:
        path = Path(account.password_file)
        try:
            mode = path.stat().st_mode & 0o777
            if mode & 0o077:
                raise SyncError(
                    f"{path} is readable by others (mode {mode:o}); chmod 600 it or add the "
                    "account again"
                )
            return path.read_text(encoding="utf-8").rstrip("\n")
        except OSError as error:
            raise SyncError(
                f"cannot read the saved password ({path}: {error.strerror or error}); "
                "add the account again"
            ) from None
    raise SyncError("the account has no password source; add it again")


def run_password_command(command: str) -> str:
    """The first line the command prints; it runs through the shell, as newsboat's does."""
    try:
        done = subprocess.run(
            command,
            shell=True,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SyncError(f"the password command did not finish in {COMMAND_TIMEOUT:g} s") from None
    except OSError as error:
        raise SyncError(f"cannot run the password command: {error.strerror or error}") from None
    if done.returncode != 0:
        raise SyncError(f"the password command failed (exit status {done.returncode})")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise SyncError("the password command printed nothing")
    return lines[0]
