"""Sync benchmark: tuireader against a real FreshRSS holding FEEDS x ITEMS articles.

Run: ``python bench/sync_bench.py --feeds 200 --items 50`` (see bench/README.md). Needs PHP
(``apt-get install -y php-cli php-sqlite3 php-curl php-xml php-mbstring php-intl``) and
../shared/servers/freshrss beside the checkout.

Starts ``bench/feedserver.py`` (no latency) and a throwaway FreshRSS on 127.0.0.1 that
fetches its feeds, then syncs an empty library in phases:

* first: the first sync (every feed and article);
* nothing-new: a sync right after, with nothing changed on either side;
* 1000-each-side: after ``--changes`` local changes (read and star, queued) and as many
  on the server (read and star, written in its database);
* nothing-new-cli: the nothing-new sync again as a fresh ``tuireader sync`` process,
  start-up included.

Each phase reports wall time, our process's CPU time (user+sys), FreshRSS's CPU time
(the php -S process), requests and bytes received. Targets, checked in the same run:
nothing-new under 1 s and under 10 requests; first sync spends at most half its wall
time in our process (CPU / wall <= 0.5, the rest is FreshRSS answering).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "servers" / "freshrss"
USER, API_PASSWORD = "alice", "api-password-alice-1"


@dataclass
class Phase:
    name: str
    wall: float
    cpu: float
    server_cpu: float
    requests: int
    bytes_received: int
    #: Wall time inside requests: FreshRSS answering and the bytes arriving.
    waiting: float
    pushed: int
    new: int
    state: int

    @property
    def ours(self) -> float:
        """Wall time not spent waiting for FreshRSS: our process working (or queued for CPU)."""
        return self.wall - self.waiting


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_feedserver(feeds: int, items: int) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "feedserver.py"),
            "--feeds",
            str(feeds),
            "--items",
            str(items),
            "--latency-ms",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit(f"feedserver did not start: {line!r}")
    return proc, int(line.split()[1])


def php(app: Path, *code: str, sql: str | None = None) -> str:
    env = {**os.environ, "SQL": sql or ""}
    return subprocess.run(
        ["php", *code], cwd=app, capture_output=True, text=True, check=True, env=env
    ).stdout


def server_sql(app: Path, statement: str) -> None:
    php(
        app,
        "-r",
        f'$db = new PDO("sqlite:data/users/{USER}/db.sqlite"); $db->exec(getenv("SQL"));',
        sql=statement,
    )


def server_ids(app: Path) -> list[int]:
    out = php(
        app,
        "-r",
        f'$db = new PDO("sqlite:data/users/{USER}/db.sqlite");'
        'foreach ($db->query("SELECT id FROM entry") as $r) { echo $r[0], "\\n"; }',
    )
    return [int(line) for line in out.split()]


def load(app: Path, work: Path, feeds: int, feed_port: int) -> None:
    """Subscribe FreshRSS to the bench feeds and have it fetch them all."""
    opml = work / "subs.opml"
    outlines = "".join(
        f'<outline type="rss" text="Feed {n}" '
        f"xmlUrl={quoteattr(f'http://127.0.0.1:{feed_port}/feed/{n}.xml')}/>"
        for n in range(feeds)
    )
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>b</title></head><body>'
        f'<outline text="Bench">{outlines}</outline></body></opml>'
    )
    php(app, "cli/import-for-user.php", "--user", USER, "--filename", str(opml))
    started = time.perf_counter()
    actualized = php(app, "cli/actualize-user.php", "--user", USER).strip()
    print(f"FreshRSS: {actualized} in {time.perf_counter() - started:.1f} s", flush=True)


def fill(app: Path, port: int) -> None:
    """A reused instance: every article unread and unstarred again, its base URL this port."""
    server_sql(app, "UPDATE entry SET is_read = 0, is_favorite = 0")
    config = app / "data" / "config.php"
    text = config.read_text()
    config.write_text(re.sub(r"http://127\.0\.0\.1:\d+", f"http://127.0.0.1:{port}", text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--changes", type=int, default=1000, help="state changes on each side")
    parser.add_argument("--api", choices=["greader", "fever"], default="greader")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument(
        "--cache",
        type=Path,
        help="keep the filled FreshRSS here and reuse it next run (filling 200 x 50 takes "
        "minutes: FreshRSS sanitises every article)",
    )
    args = parser.parse_args()
    if shutil.which("php") is None:
        raise SystemExit(
            "php is missing: apt-get install -y php-cli php-sqlite3 php-curl "
            "php-xml php-mbstring php-intl"
        )
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} is absent")

    from tuireader.store import ArticleQuery, Store
    from tuireader.sync.accounts import add_account
    from tuireader.sync.engine import sync_now
    from tuireader.sync.types import SyncKind

    work = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    feeds_proc, feed_port = start_feedserver(args.feeds, args.items)
    port = free_port()
    server: subprocess.Popen[bytes] | None = None
    try:
        app = work / "fr" / "app"
        key = f"{args.feeds}x{args.items}"
        cached = args.cache / key if args.cache else None
        if cached is not None and cached.is_dir():
            shutil.copytree(cached, work / "fr")
            fill(app, port)
            print(f"FreshRSS: reused {cached}", flush=True)
        else:
            subprocess.run(
                [str(SHARED / "instance"), str(work / "fr"), "--port", str(port)],
                check=True,
                capture_output=True,
            )
            load(app, work, args.feeds, feed_port)
            if cached is not None:
                shutil.copytree(work / "fr", cached)
        server = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(app / "p")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert server.stderr is not None
        server.stderr.readline()
        server.stderr.close()
        api = "greader.php" if args.api == "greader" else "fever.php"
        url = f"http://127.0.0.1:{port}/api/{api}"
        db = work / "tuireader.db"
        store = Store(db)
        add_account(store, SyncKind(args.api), url, USER, password=API_PASSWORD)
        phases: list[Phase] = []

        def measure(name: str) -> Phase:
            assert server is not None
            wall0, cpu0, srv0 = time.perf_counter(), time.process_time(), proc_cpu(server.pid)
            summary = sync_now(store)
            wall = time.perf_counter() - wall0
            if summary.error:
                raise SystemExit(f"{name}: sync failed: {summary.error}")
            phase = Phase(
                name,
                wall,
                time.process_time() - cpu0,
                proc_cpu(server.pid) - srv0,
                summary.requests,
                summary.bytes_received,
                summary.request_seconds,
                summary.pushed,
                summary.new_articles,
                summary.state_changes,
            )
            phases.append(phase)
            return phase

        first = measure("first")
        total = store.count_articles(ArticleQuery())
        nothing = measure("nothing-new")

        rng = random.Random(7)
        ids = store.article_ids(ArticleQuery())
        local = rng.sample(ids, args.changes)
        half = args.changes // 2
        store.set_read(local[:half])
        for article in local[half:]:
            store.set_starred(article, True)
        mapped = set(store.remote_ids_of(local).values())
        remote = [i for i in server_ids(app) if str(i) not in mapped]
        chosen = rng.sample(remote, args.changes)
        server_sql(
            app, f"UPDATE entry SET is_read = 1 WHERE id IN ({','.join(map(str, chosen[:half]))})"
        )
        server_sql(
            app,
            f"UPDATE entry SET is_favorite = 1 WHERE id IN ({','.join(map(str, chosen[half:]))})",
        )
        changes = measure(f"{args.changes}-each-side")
        store.close()

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        wall0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tuireader", "--db", str(db), "sync", "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        cli_wall = time.perf_counter() - wall0
        cli = json.loads(done.stdout)

        print(
            f"\nlibrary: {total} articles in {args.feeds} feeds ({args.api}); "
            "the machine may be shared\n"
        )
        print(
            f"{'phase':<16}{'wall s':>8}{'waiting s':>10}{'ours s':>8}{'our cpu s':>10}"
            f"{'php cpu s':>10}{'requests':>9}{'bytes':>11}{'pushed':>7}{'new':>6}{'state':>6}"
        )
        for p in phases:
            print(
                f"{p.name:<16}{p.wall:>8.3f}{p.waiting:>10.3f}{p.ours:>8.3f}{p.cpu:>10.3f}"
                f"{p.server_cpu:>10.3f}{p.requests:>9}{p.bytes_received:>11}{p.pushed:>7}"
                f"{p.new:>6}{p.state:>6}"
            )
        print(
            f"{'nothing-new-cli':<16}{cli_wall:>8.3f}{'':>10}{'':>8}{'':>10}{'':>10}"
            f"{cli['requests']:>9}{cli['bytes_received']:>11}  (a fresh process, start-up "
            "included)\n"
        )
        share = first.ours / first.wall
        checks = [
            (f"nothing-new sync {nothing.wall:.3f} s < 1 s", nothing.wall < 1.0),
            (f"nothing-new sync {nothing.requests} requests < 10", nothing.requests < 10),
            (
                f"first sync: {first.ours:.2f} s of {first.wall:.2f} s wall in our process "
                f"= {share:.2f} <= 0.5 (CPU alone: {first.cpu / first.wall:.2f})",
                share <= 0.5,
            ),
            (
                f"{args.changes}-each-side: pushed {changes.pushed}, took {changes.state} "
                f"from the server (want {args.changes} each)",
                changes.pushed == args.changes and changes.state == args.changes,
            ),
        ]
        for text, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {text}")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        feeds_proc.terminate()
        feeds_proc.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
