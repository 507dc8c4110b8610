"""Refresh benchmark: the real ``tuireader refresh`` CLI against newsboat, over loopback HTTP.

Run: ``python bench/refresh_bench.py --feeds 200 --items 50`` (see bench/README.md).

Starts ``bench/feedserver.py`` in its own process, subscribes both tools to the same feeds
and runs three phases, phase by phase for every tool:

* cold: an empty store, every feed answered 200;
* refetch: every feed changed (new items, new ETag), every feed answered 200 again;
* warm: nothing changed; a client that sends validators gets 304s.

Each run is a fresh process (``python -m tuireader --db PATH refresh`` and ``newsboat -x
reload``), so wall times include start-up. CPU is user+sys of the whole process tree: this
process becomes a child subreaper so orphaned parse workers are reaped here and counted in
the RUSAGE_CHILDREN delta. Requests and bytes are what the server counted.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import math
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PR_SET_CHILD_SUBREAPER = 36
PHASES = ("cold", "refetch", "warm")
#: Both tools run at this concurrency unless told otherwise: our connections, its threads.
DEFAULT_CONCURRENCY = 8
_SUMMARY = re.compile(
    r"([\d,]+) feeds?: ([\d,]+) updated, ([\d,]+) not modified, ([\d,]+) failed; "
    r"([\d,]+) new articles?"
)


@dataclass
class Run:
    tool: str
    phase: str
    wall: float
    cpu: float
    #: The main process alone (its wait4 usage; workers are orphans reaped by the bench).
    cpu_main: float
    rss_main_mb: float
    rss_other_mb: float
    exit_code: int
    server: dict[str, object]
    articles: int
    summary: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return int(self.server.get("requests", 0))  # type: ignore[call-overload]

    @property
    def mb_sent(self) -> float:
        return int(self.server.get("bytes_sent", 0)) / 2**20  # type: ignore[call-overload]

    def status(self, code: str) -> int:
        counts = self.server.get("status", {})
        assert isinstance(counts, dict)
        return int(counts.get(code, 0))


# --- the feed server --------------------------------------------------------------------------


class FeedServer:
    """bench/feedserver.py in a subprocess, driven over its /_bench/ control paths."""

    def __init__(self, feeds: int, items: int, latency_ms: float, new_per_generation: int) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "feedserver.py"),
                f"--feeds={feeds}",
                f"--items={items}",
                f"--latency-ms={latency_ms}",
                f"--new-per-generation={new_per_generation}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise SystemExit(f"feed server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.feeds = feeds

    def url(self, feed: int) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{feed}.xml"

    def control(self, path: str) -> dict[str, object]:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{self.port}/_bench/{path}", timeout=600
        ) as r:
            result: dict[str, object] = json.loads(r.read())
            return result

    def stop(self) -> None:
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)


# --- measuring a process tree -----------------------------------------------------------------


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _our_children(exclude: set[int]) -> list[int]:
    me = str(os.getpid())
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in exclude:
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'
        if stat.rsplit(")", 1)[1].split()[1] == me:
            found.append(int(entry))
    return found


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _task_stat(path: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) from a /proc stat file; None when it is gone."""
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ThreadCpu:
    """CPU per thread of a process tree, polled from /proc every 20 ms while it runs (a
    thread's last 20 ms may be missed): where a refresh's CPU goes, process by process.

    Roles: the main process's main thread (imports, the event loop: downloads), its other
    threads (the store writer, the pool's result and job threads, the log), the forkserver,
    the parse workers (the forkserver's children) and multiprocessing's resource tracker.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.cpu: dict[tuple[int, int], tuple[str, float]] = {}
        #: A process's role as first seen (an exiting process's cmdline reads empty).
        self._roles: dict[int, str] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            self._poll()
            self._done.wait(0.02)

    def _role(self, pid: int, parent: int) -> str:
        if pid == self.root:
            return "main"
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return "other"
        if b"forkserver import main" in cmdline:
            return "forkserver" if parent == self.root else "parse worker"
        return "resource tracker" if b"resource_tracker" in cmdline else "other"

    def _poll(self) -> None:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (stat := _task_stat(f"/proc/{entry}/stat")) is not None:
                parents[int(entry)] = stat[0]
        tree, grew = {self.root}, True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        for pid in tree:
            role = self._roles.get(pid) or self._role(pid, parents.get(pid, 0))
            if role != "other":
                self._roles[pid] = role
            with contextlib.suppress(OSError):
                for tid in os.listdir(f"/proc/{pid}/task"):
                    if (stat := _task_stat(f"/proc/{pid}/task/{tid}/stat")) is not None:
                        name = role if int(tid) == pid else f"{role} other threads"
                        self.cpu[(pid, int(tid))] = (name, stat[1])

    def stop(self) -> dict[str, float]:
        """CPU seconds by role (and the main process's busiest other thread alone)."""
        self._done.set()
        self._thread.join()
        totals: dict[str, float] = {}
        for role, seconds in sorted(self.cpu.values()):
            totals[role] = totals.get(role, 0.0) + seconds
        others = [s for role, s in self.cpu.values() if role == "main other threads"]
        if others:
            totals["busiest main thread besides the loop"] = max(others)
        return totals


def measure(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    log: Path,
    exclude: set[int],
    by_thread: dict[str, float] | None = None,
) -> tuple[float, float, float, float, float, int]:
    """Run argv: wall, tree CPU, main CPU, main and largest-other peak RSS (MB), exit code.
    With ``by_thread``, it is filled with :class:`ThreadCpu`'s figures."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        poller = ThreadCpu(proc.pid) if by_thread is not None else None
        _, status, usage = os.wait4(proc.pid, 0)
        if poller is not None and by_thread is not None:
            by_thread.update(poller.stop())
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    # Orphans (parse workers, the forkserver) were re-parented to us: reap them so their CPU
    # lands in RUSAGE_CHILDREN. They exit as soon as their parent's pipes close.
    other_rss = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        orphans = _our_children(exclude)
        if not orphans:
            break
        for pid in orphans:
            with contextlib.suppress(ChildProcessError):
                reaped, _, orphan_usage = os.wait4(pid, os.WNOHANG)
                if reaped:
                    other_rss = max(other_rss, orphan_usage.ru_maxrss)
        time.sleep(0.02)
    cpu = _children_cpu() - cpu_before
    main_cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, main_cpu, usage.ru_maxrss / 1024, other_rss / 1024, proc.returncode


# --- the tools --------------------------------------------------------------------------------


class Tuireader:
    name = "tuireader"

    def __init__(
        self,
        root: Path,
        urls: list[str],
        concurrency: int,
        profile: Path | None,
        bytecode: bool = True,
    ) -> None:
        self.root = root
        self.db = root / "tuireader.db"
        self.profile = profile
        (root / "config").mkdir(parents=True)
        (root / "config" / "config.toml").write_text(
            f"max_connections = {concurrency}\n"
            # Every bench feed is on 127.0.0.1: the per-host limit must not be the bottleneck.
            f"per_host_connections = {concurrency}\n"
        )
        self.env = os.environ | {
            "TUIREADER_DATA_DIR": str(root / "data"),
            "TUIREADER_CONFIG_DIR": str(root / "config"),
            "TUIREADER_CACHE_DIR": str(root / "cache"),
        }
        if bytecode:
            # As an installed tuireader has its .pyc files: with PYTHONDONTWRITEBYTECODE
            # (this sandbox sets it) every run would compile our sources again.
            self.env.pop("PYTHONDONTWRITEBYTECODE", None)
            self.env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
            warm = "import tuireader.cli.refreshing, tuireader.refresh, tuireader.parse"
            subprocess.run([sys.executable, "-c", warm], env=self.env, check=True)
        urls_file = root / "urls"
        urls_file.write_text("\n".join(urls) + "\n")
        subprocess.run(
            [*self._cli(), "import", str(urls_file)],
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _cli(self) -> list[str]:
        return [sys.executable, "-m", "tuireader", "--db", str(self.db)]

    def argv(self, phase: str) -> list[str]:
        if self.profile is None:
            return [*self._cli(), "refresh"]
        self.profile.mkdir(parents=True, exist_ok=True)
        out = self.profile / f"tuireader-{phase}.prof"
        return [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "tuireader"] + [
            "--db",
            str(self.db),
            "refresh",
        ]

    def articles(self) -> int:
        return _count(self.db, "SELECT count(*) FROM articles")

    def summary(self, log: Path) -> str:
        matches = _SUMMARY.findall(log.read_text(errors="replace"))
        if not matches:
            return "no summary line"
        feeds, updated, unchanged, failed, new = matches[-1]
        return f"{updated} upd, {unchanged} 304, {failed} failed, {new} new"


class Newsboat:
    name = "newsboat"

    def __init__(self, root: Path, urls: list[str], binary: str, threads: int) -> None:
        self.root = root
        self.binary = binary
        (root / "home").mkdir(parents=True)
        (root / "urls").write_text("\n".join(urls) + "\n")
        (root / "config").write_text(f"reload-threads {threads}\n")
        self.cache = root / "cache.db"
        self.env = os.environ | {
            "HOME": str(root / "home"),
            "XDG_CONFIG_HOME": str(root / "home" / ".config"),
            "XDG_DATA_HOME": str(root / "home" / ".local" / "share"),
        }

    def argv(self, phase: str) -> list[str]:
        r = self.root
        return [self.binary, "-u", str(r / "urls"), "-c", str(self.cache)] + [
            "-C",
            str(r / "config"),
            "-x",
            "reload",
        ]

    def articles(self) -> int:
        return _count(self.cache, "SELECT count(*) FROM rss_item")

    def summary(self, log: Path) -> str:
        text = log.read_text(errors="replace").strip()
        return text.splitlines()[-1][:60] if text else ""


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return -1
    finally:
        conn.close()


# --- the run ----------------------------------------------------------------------------------


def run_phase(
    tool: Tuireader | Newsboat, phase: str, server: FeedServer, thread_cpu: bool = False
) -> Run:
    server.control("reset")
    log = tool.root / f"{phase}.log"
    by_thread: dict[str, float] | None = {} if thread_cpu else None
    wall, cpu, cpu_main, rss_main, rss_other, code = measure(
        tool.argv(phase), tool.env, tool.root, log, {server.proc.pid}, by_thread
    )
    stats = server.control("stats")
    return Run(
        tool=tool.name,
        phase=phase,
        wall=wall,
        cpu=cpu,
        cpu_main=cpu_main,
        rss_main_mb=rss_main,
        rss_other_mb=rss_other,
        exit_code=code,
        server=stats,
        articles=tool.articles(),
        summary=tool.summary(log),
        extra={"cpu_by_thread": by_thread} if by_thread else {},
    )


def _thread_row(run: Run) -> str:
    figures = run.extra.get("cpu_by_thread") or {}
    assert isinstance(figures, dict)
    parts = ", ".join(f"{role} {seconds:.2f}" for role, seconds in figures.items())
    return f"{'':8}{'':11}cpu-s by thread (polled): {parts}"


def _row(run: Run) -> str:
    server_cpu = float(run.server.get("server_cpu", 0.0))  # type: ignore[arg-type]
    peak = run.server.get("peak_in_flight", 0)
    return (
        f"{run.phase:<8}{run.tool:<11}{run.wall:>8.2f}{run.cpu:>8.2f}{run.cpu_main:>8.2f}"
        f"{run.rss_main_mb:>8.0f}"
        f"{run.rss_other_mb:>7.0f}{run.requests:>7}{run.status('200'):>6}{run.status('304'):>6}"
        f"{run.mb_sent:>9.1f}{run.articles:>9}{peak!s:>6}{server_cpu:>7.2f}  {run.summary}"
        + (f"  EXIT {run.exit_code}" if run.exit_code else "")
    )


HEADER = (
    f"{'phase':<8}{'tool':<11}{'wall s':>8}{'cpu s':>8}{'main s':>8}{'rss MB':>8}"
    f"{'wrkMB':>7}{'reqs':>7}{'200':>6}{'304':>6}{'MB sent':>9}"
    f"{'articles':>9}{'peak':>6}{'srvcpu':>7}  outcome"
)


@contextlib.contextmanager
def workdir(keep: bool) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tuireader-refresh-bench-"))
    try:
        yield root
    finally:
        if keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help="tuireader's connections and newsboat's reload-threads (the same for both)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 40 feeds x 20 items, 20 ms latency"
    )
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--newsboat", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--new-per-generation", type=int, default=5)
    parser.add_argument(
        "--profile", type=Path, help="run tuireader under cProfile, .prof files into this dir"
    )
    parser.add_argument(
        "--bytecode",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="tuireader runs with cached bytecode, as an installed one does",
    )
    parser.add_argument(
        "--thread-cpu",
        action="store_true",
        help="also print each run's CPU by process and thread (polled from /proc)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, stores)")
    args = parser.parse_args(argv)
    if args.quick:
        args.feeds, args.items, args.latency_ms = 40, 20, 20.0
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")

    newsboat_bin = shutil.which("newsboat") if args.newsboat else None
    if args.newsboat and newsboat_bin is None:
        print("newsboat not installed: its column is skipped")
    if not become_subreaper():
        print("warning: could not become a child subreaper; worker CPU may be undercounted")

    server = FeedServer(args.feeds, args.items, args.latency_ms, args.new_per_generation)
    runs: list[Run] = []
    try:
        with workdir(args.keep) as root:
            urls = [server.url(n) for n in range(args.feeds)]
            tools: list[Tuireader | Newsboat] = [
                Tuireader(root / "tuireader", urls, args.concurrency, args.profile, args.bytecode)
            ]
            if newsboat_bin:
                tools.append(Newsboat(root / "newsboat", urls, newsboat_bin, args.concurrency))
            print(
                f"{args.feeds} feeds x {args.items} items, {args.latency_ms:g} ms latency, "
                f"concurrency {args.concurrency} (tuireader connections, newsboat reload-threads), "
                "formats RSS 2.0/Atom/RSS 1.0 in thirds, "
                f"{args.new_per_generation} new items per feed on refetch"
            )
            print(HEADER)
            generation = 0
            for phase in phases:
                if phase == "refetch":
                    generation += 1
                    built = server.control(f"generation?n={generation}")
                    print(f"(server rebuilt feeds for generation {generation}: {built})")
                for tool in tools:
                    run = run_phase(tool, phase, server, args.thread_cpu)
                    runs.append(run)
                    print(_row(run), flush=True)
                    if run.extra.get("cpu_by_thread"):
                        print(_thread_row(run), flush=True)
    finally:
        server.stop()
    report(runs, args)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "runs": [asdict(r) for r in runs],
                },
                indent=2,
            )
        )
    return 0


def report(runs: list[Run], args: argparse.Namespace) -> None:
    by = {(r.tool, r.phase): r for r in runs}
    floor = math.ceil(args.feeds / args.concurrency) * args.latency_ms / 1000
    print()
    for phase in PHASES:
        ours, theirs = by.get(("tuireader", phase)), by.get(("newsboat", phase))
        if ours is None:
            continue
        line = f"{phase:<8} tuireader {ours.wall:.2f} s, {ours.cpu:.2f} cpu-s"
        if theirs is not None:
            line += (
                f" | newsboat {theirs.wall:.2f} s, {theirs.cpu:.2f} cpu-s"
                f" | wall ratio {ours.wall / theirs.wall:.2f}"
                f", cpu ratio {ours.cpu / max(theirs.cpu, 1e-9):.2f}"
                f", bytes ratio {ours.mb_sent / max(theirs.mb_sent, 1e-9):.2f}"
            )
        if phase == "warm":
            line += f" | floor {floor:.2f} s, ratio to floor {ours.wall / floor:.2f}"
        print(line)
        print("         " + verdict(phase, ours, theirs, floor, args.feeds))


#: Issue 11's targets, as ratios measured in the same run.
COLD_WALL_MAX = 0.9
COLD_CPU_MAX = 1.0
REFETCH_WALL_MAX = 0.7
WARM_FLOOR_MAX = 1.3
#: From this many feeds on, the cold target is the big-library one.
BIG_FEEDS = 1000
BIG_COLD_WALL_MAX = 0.5


def _check(ratio: float, limit: int | float, what: str) -> str:
    return f"{'PASS' if ratio <= limit else 'FAIL'} {what} <= {limit:g}x ({ratio:.2f}x)"


def verdict(phase: str, ours: Run, theirs: Run | None, floor: float, feeds: int) -> str:
    """Issue 11's targets: cold wall <= 0.9x newsboat (0.5x from 1,000 feeds) and CPU <=
    1.0x; refetch wall <= 0.7x; warm wall <= 1.3x the latency floor."""
    checks: list[str] = []
    if ours.exit_code:
        checks.append(f"FAIL exit code {ours.exit_code}")
    if phase == "cold" and theirs is not None:
        limit = BIG_COLD_WALL_MAX if feeds >= BIG_FEEDS else COLD_WALL_MAX
        checks.append(_check(ours.wall / theirs.wall, limit, "wall vs newsboat"))
        checks.append(_check(ours.cpu / max(theirs.cpu, 1e-9), COLD_CPU_MAX, "cpu vs newsboat"))
    if phase == "refetch" and theirs is not None:
        checks.append(_check(ours.wall / theirs.wall, REFETCH_WALL_MAX, "wall vs newsboat"))
    if phase == "warm":
        checks.append(_check(ours.wall / floor, WARM_FLOOR_MAX, "wall vs latency floor"))
    return "; ".join(checks) or "no target (newsboat not run)"


if __name__ == "__main__":
    sys.exit(main())
