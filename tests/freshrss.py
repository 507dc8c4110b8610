"""A throwaway FreshRSS (../shared/servers/freshrss) on 127.0.0.1 for the sync tests.

The instance script makes one in about a second; ``php -S`` serves it. Feeds come from
the tests' own loopback server and FreshRSS fetches them with its CLI (``actualize``),
so nothing leaves the machine. Without PHP the tests skip, except under CI=true, where
``.ci/run`` installs it and a missing PHP is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest

USER = "alice"
API_PASSWORD = "api-password-alice-1"
PHP_PACKAGES = "php-cli php-sqlite3 php-curl php-xml php-mbstring php-intl"


def require_php() -> None:
    if shutil.which("php") is not None:
        return
    message = f"PHP is not installed (apt-get install -y {PHP_PACKAGES})"
    if os.environ.get("CI") == "true":
        pytest.fail(message + ": .ci/run should have installed it")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FreshRSS:
    def __init__(self, shared: Path, directory: Path) -> None:
        require_php()
        self.dir = directory
        self.port = free_port()
        self.app = directory / "app"
        subprocess.run(
            [
                str(shared / "servers" / "freshrss" / "instance"),
                str(directory),
                "--port",
                str(self.port),
            ],
            check=True,
            capture_output=True,
        )
        self.refresh_script = shared / "servers" / "freshrss" / "refresh"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def greader_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/greader.php"

    @property
    def fever_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/fever.php"

    def start(self) -> None:
        """Start php -S and wait for its 'started' line (it is listening by then)."""
        self.process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.app / "p")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        if b"started" not in line:
            raise RuntimeError(f"php -S did not start: {line!r}")
        # The server logs every request to stderr: drain it so a full pipe never blocks it.
        self.process.stderr.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None

    def cli(self, script: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["php", str(self.app / "cli" / script), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    def import_opml(self, path: Path) -> None:
        done = self.cli("import-for-user.php", "--user", USER, "--filename", str(path))
        assert done.returncode == 0, done.stderr

    def actualize(self) -> str:
        """FreshRSS fetches every feed now, whatever its TTL and cache say."""
        done = subprocess.run(
            [str(self.refresh_script), str(self.dir), USER],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def sql(self, statement: str) -> str:
        """Run SQL on the user's FreshRSS database (to check or change the server's side)."""
        code = (
            f'$db = new PDO("sqlite:{self.app}/data/users/{USER}/db.sqlite");'
            "$r = $db->query(getenv('SQL'));"
            "if ($r) { foreach ($r as $row) { echo implode('|', array_filter($row, "
            "'is_int', ARRAY_FILTER_USE_KEY)), \"\\n\"; } }"
        )
        done = subprocess.run(
            ["php", "-r", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "SQL": statement},
        )
        return done.stdout


def opml(feeds: list[tuple[str, str, str]]) -> bytes:
    """(title, url, folder) as an OPML document FreshRSS imports."""
    from xml.sax.saxutils import quoteattr

    by_folder: dict[str, list[tuple[str, str]]] = {}
    for title, url, folder in feeds:
        by_folder.setdefault(folder, []).append((title, url))
    body = []
    for folder, items in by_folder.items():
        body.append(f"<outline text={quoteattr(folder)}>")
        body += [
            f'<outline type="rss" text={quoteattr(t)} xmlUrl={quoteattr(u)}/>' for t, u in items
        ]
        body.append("</outline>")
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        + "".join(body)
        + "</body></opml>"
    ).encode()
