"""UI benchmark: the Textual app on a big library (500 feeds, 100,000 articles by default).

Run: ``python bench/ui_bench.py`` (see bench/README.md). The library comes from
``bench/make_library.py`` and is cached in ``bench/out/``; every run works on a copy of it.

Figures:

* first paint, real terminal: ``python -m tuireader --db PATH`` launched in tmux (140x40),
  ``capture-pane`` polled until the title of the first article of the list is on screen;
  wall time from just before the launch, nothing subtracted; median of ``--runs``. The same
  for newsboat on the same library in its own cache, polled until its feed list is shown.
* first paint, in-process: ``App.run_test`` with a breakdown (store open, app start to ids,
  to rows, to the first paint with rows). In run_test the compositor renders every update
  headlessly; the bench also encodes each update to terminal bytes, as a real driver would.
* key to repaint: ``j`` sent as a Key event from the driver, timed to the first compositor
  update that shows the moved cursor; one key at a time, then a burst.
* memory: VmHWM and VmRSS of the tmux-launched app after first paint, after ``end`` and after
  paging through every article with ``pagedown``, 50 keys at a time, each batch once the
  app has drawn the last (newsboat: after first paint).
* search: ``store.search_ids`` + ``store.summaries`` for a common word, a rare word and a
  prefix; and the in-app ``/`` search (widened to all articles, the first
  ``ui.data.SEARCH_LIMIT`` matches) from enter to the results painted.
* For you: ``tuireader list for-you`` in fresh processes, without and with the persisted
  model (``bench/foryou_fresh.py``): wall, CPU and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import foryou_fresh  # noqa: E402
import make_library  # noqa: E402
from make_library import LibrarySpec  # noqa: E402
from tuireader.paths import Dirs  # noqa: E402
from tuireader.store import ArticleQuery, Store  # noqa: E402

SIZE = (140, 40)
#: How many characters of a title the list shows at 140 columns, at least.
TITLE_PREFIX = 18
TARGETS = {
    "first_paint_s": 0.5,
    "refresh_due_s": 0.3,
    "nav_p99_ms": 50.0,
    "search_p99_ms": 100.0,
    "rss_mb": 250.0,
}
SEARCH_QUERIES = {
    "common word": "government",
    "rare word": make_library.RARE_WORD,
    "prefix": "elect",
}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p99": percentile(values, 99),
        "max": max(values),
    }


@dataclass
class Results:
    figures: dict[str, Any] = field(default_factory=dict)

    def put(self, key: str, value: Any) -> None:
        self.figures[key] = value


# --- the work dir -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Workdir:
    root: Path
    db: Path
    dirs: Dirs
    #: Let the launched processes cache bytecode (in the work dir), as an installed
    #: tuireader has its .pyc files; with PYTHONDONTWRITEBYTECODE set (this sandbox sets
    #: it) every start compiles tuireader's sources again, ~0.1 CPU-s.
    bytecode: bool = True

    @property
    def env(self) -> dict[str, str]:
        env = os.environ | {
            "TUIREADER_CONFIG_DIR": str(self.dirs.config),
            "TUIREADER_DATA_DIR": str(self.dirs.data),
            "TUIREADER_CACHE_DIR": str(self.dirs.cache),
        }
        if self.bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(self.root / "pycache")
        return env

    def warm_bytecode(self) -> None:
        """Compile once what a start imports, so no measured run pays for it."""
        if self.bytecode:
            code = "import tuireader.cli, tuireader.core, tuireader.ui.app"
            subprocess.run([sys.executable, "-c", code], env=self.env, check=True)


def make_workdir(root: Path, library: Path, *, bytecode: bool = True) -> Workdir:
    """A private copy of the cached library, so the runs never change the cache."""
    db = root / "tuireader.db"
    shutil.copyfile(library, db)
    # A library cached by an older tuireader gets this one's migrations, as a user's would
    # (the read-only opens below refuse a file that needs an upgrade).
    Store(db).close()
    dirs = Dirs(config=root / "config", data=root / "data", cache=root / "cache")
    work = Workdir(root, db, dirs, bytecode)
    work.warm_bytecode()
    return work


@dataclass(frozen=True)
class Expected:
    """Titles to look for on screen, read from the library the way the list orders it."""

    first_titles: tuple[str, ...]
    last_title: str
    unread_count: int

    @staticmethod
    def of(db: Path) -> Expected:
        with Store(db, read_only=True) as store:
            ids = store.article_ids(ArticleQuery(unread_only=True))
            first = store.summaries(ids[:3])
            last = store.summaries(ids[-1:])
        return Expected(tuple(s.title for s in first), last[0].title, len(ids))


def prefix(title: str) -> str:
    return title[:TITLE_PREFIX].rstrip()


# --- tmux -------------------------------------------------------------------------------------


class Tmux:
    """A private tmux server (its own socket), started with the bench's environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"tuireader-bench-{os.getpid()}"
        self.env = env
        self._tmux("new-session", "-d", "-s", "keeper", "-x", "80", "-y", "24", "sleep 3600")
        self._count = 0

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def launch(self, argv: list[str], cwd: Path) -> tuple[str, int, float]:
        """Start ``argv`` in a new 140x40 session; returns the session, its pid, start time."""
        self._count += 1
        name = f"run{self._count}"
        command = "exec " + " ".join(_quote(a) for a in argv)
        started = time.perf_counter()
        self._tmux(
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            str(SIZE[0]),
            "-y",
            str(SIZE[1]),
            "-c",
            str(cwd),
            command,
        )
        pid = int(self._tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())
        return name, pid, started

    def screen(self, name: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", name)

    def send(self, name: str, *keys: str) -> None:
        self._tmux("send-keys", "-t", name, *keys)

    def wait_for(
        self, name: str, found: Callable[[str], bool], timeout: float = 60.0
    ) -> tuple[float, str]:
        """Poll the pane until ``found(screen)``; returns the time it was seen and the screen."""
        deadline = time.perf_counter() + timeout
        while True:
            text = self.screen(name)
            now = time.perf_counter()
            if found(text):
                return now, text
            if now > deadline:
                raise TimeoutError(f"not on screen after {timeout} s:\n{text}")
            time.sleep(0.005)

    def kill(self, name: str) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._tmux("kill-session", "-t", name)

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._tmux("kill-server")


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def proc_memory(pid: int) -> dict[str, float]:
    """VmHWM (peak RSS) and VmRSS in MB, from /proc."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def wait_gone(pid: int, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while Path(f"/proc/{pid}").exists() and time.perf_counter() < deadline:
        time.sleep(0.02)


def tmux_first_paint(
    tmux: Tmux, work: Workdir, expected: Expected, runs: int, results: Results
) -> None:
    argv = [sys.executable, "-m", "tuireader", "--db", str(work.db)]
    wanted = [prefix(t) for t in expected.first_titles]
    times: list[float] = []
    cpu: list[float] = []
    memory: dict[str, Any] = {}
    for run in range(runs):
        name, pid, started = tmux.launch(argv, HERE.parent)
        seen, _ = tmux.wait_for(name, lambda s: any(w in s for w in wanted))
        cpu.append(proc_cpu(pid))
        times.append(seen - started)
        if run == runs - 1:
            memory = tmux_memory(tmux, name, pid, expected)
        tmux.kill(name)
        wait_gone(pid)
    results.put(
        "tmux_first_paint_s",
        summary(times) | {"runs": times, "cpu_median": statistics.median(cpu), "cpu_runs": cpu},
    )
    results.put("tmux_memory_mb", memory)


#: The floor: a Textual app with one Static, started and timed as the app is.
FLOOR_APP = """
from textual.app import App, ComposeResult
from textual.widgets import Static


class Floor(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("TEXTUAL-FLOOR first paint")


Floor().run()
"""


def tmux_floor_paint(tmux: Tmux, work: Workdir, runs: int, results: Results) -> None:
    """What Textual alone costs to first paint here: the floor under the app's figure."""
    script = work.root / "floor_app.py"
    script.write_text(FLOOR_APP)
    subprocess.run(
        [sys.executable, "-c", "import textual.app, textual.widgets._static"],
        env=work.env,
        check=True,
    )
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        name, pid, started = tmux.launch([sys.executable, str(script)], work.root)
        seen, _ = tmux.wait_for(name, lambda s: "TEXTUAL-FLOOR" in s)
        cpu.append(proc_cpu(pid))
        times.append(seen - started)
        tmux.kill(name)
        wait_gone(pid)
    results.put(
        "tmux_floor_paint_s",
        summary(times) | {"runs": times, "cpu_median": statistics.median(cpu), "cpu_runs": cpu},
    )


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far, from /proc (load-proof,
    unlike wall time on a shared machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tmux_memory(tmux: Tmux, name: str, pid: int, expected: Expected) -> dict[str, Any]:
    """Peak RSS after first paint, after ``end``, and after paging through every article."""
    time.sleep(1.0)  # let the row fetch and sidebar load settle
    out: dict[str, Any] = {"first_paint": proc_memory(pid)}
    last = prefix(expected.last_title)
    first = prefix(expected.first_titles[0])
    tmux.send(name, "End")
    tmux.wait_for(name, lambda s: last in s)
    time.sleep(0.5)
    out["after_end"] = proc_memory(pid)
    tmux.send(name, "Home")
    tmux.wait_for(name, lambda s: first in s)
    started = time.perf_counter()
    batches = 0
    while True:
        tmux.send(name, *(["PageDown"] * 50))
        batches += 1
        # Paced: the next keys go when the app has drawn these. Sent as fast as tmux takes
        # them, keys queue up in the app (Textual reads the terminal eagerly) faster than
        # any list draws, and the peak RSS measured the queue (300-400 MB), not the list.
        text = wait_idle(tmux, name, pid)
        if last in text or batches > 10_000:
            break
    tmux.wait_for(name, lambda s: last in s, timeout=120)
    out["page_through_s"] = time.perf_counter() - started
    out["page_through_keys"] = batches * 50
    time.sleep(0.5)
    out["after_paging_all"] = proc_memory(pid)
    return out


def wait_idle(tmux: Tmux, name: str, pid: int, timeout: float = 60.0) -> str:
    """The screen once the app has caught up: unchanged over 40 ms in which the process
    used no CPU (a tick is 10 ms); returns that screen."""
    deadline = time.perf_counter() + timeout
    text, cpu = tmux.screen(name), proc_cpu(pid)
    while time.perf_counter() < deadline:
        time.sleep(0.04)
        now_text, now_cpu = tmux.screen(name), proc_cpu(pid)
        if now_text == text and now_cpu == cpu:
            return text
        text, cpu = now_text, now_cpu
    return text


def newsboat_first_paint(
    tmux: Tmux, spec: LibrarySpec, binary: str, root: Path, runs: int, results: Results
) -> None:
    cache_src = make_library.ensure_newsboat_cache(spec, binary)
    nb = root / "newsboat"
    nb.mkdir()
    cache = nb / "cache.db"
    shutil.copyfile(cache_src, cache)
    (nb / "urls").write_text("\n".join(make_library.newsboat_urls(spec)) + "\n")
    (nb / "config").write_text("")
    env = make_library.newsboat_env(nb)
    argv = [
        "env",
        f"HOME={env['HOME']}",
        f"XDG_CONFIG_HOME={env['XDG_CONFIG_HOME']}",
        f"XDG_DATA_HOME={env['XDG_DATA_HOME']}",
        binary,
        "-u",
        str(nb / "urls"),
        "-c",
        str(cache),
        "-C",
        str(nb / "config"),
    ]
    wanted = make_library.feed_title(0)
    times: list[float] = []
    memory: dict[str, float] = {}
    for run in range(runs):
        Path(str(cache) + ".lock").unlink(missing_ok=True)
        name, pid, started = tmux.launch(argv, nb)
        seen, _ = tmux.wait_for(name, lambda s: wanted in s, timeout=300)
        times.append(seen - started)
        if run == runs - 1:
            time.sleep(1.0)
            memory = proc_memory(pid)
        tmux.kill(name)
        wait_gone(pid)
    results.put("newsboat_first_paint_s", summary(times) | {"runs": times})
    results.put("newsboat_memory_mb", memory)


# --- in-process -------------------------------------------------------------------------------


class PaintProbe:
    """Wraps ``App._display``: every compositor update is encoded as a terminal would get
    it and time-stamped; waiters are woken when a condition holds at a paint."""

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.app = app
        self.paints = 0
        self.bytes = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                if isinstance(renderable, CompositorUpdate):
                    self.bytes += len(renderable.render_segments(app.console))
                self.paints += 1
                now = time.perf_counter()
                for waiter in list(self._waiters):
                    check, future = waiter
                    if not future.done() and check():
                        future.set_result(now)
                        self._waiters.remove(waiter)
            original(screen, renderable)

        app._display = display

    def next_paint(self, check: Callable[[], bool]) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((check, future))
        return future


def _placeholders(articles: Any) -> int:
    """Visible rows painted as "…" (their summary not fetched yet)."""
    from tuireader.ui.widgets import article_list

    row_height = getattr(article_list, "ROW_HEIGHT", 1)
    top = int(articles.scroll_y) // row_height
    rows = -(-articles.scrollable_content_region.height // row_height)
    return sum(1 for i in articles.ids[top : top + rows] if articles.row(i) is None)


@contextlib.contextmanager
def profiled(directory: Path | None, name: str) -> Iterator[None]:
    if directory is None:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        directory.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(directory / f"{name}.prof")
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
        (directory / f"{name}.txt").write_text(text.getvalue())


@contextlib.contextmanager
def first_calls(targets: dict[str, tuple[type, str]], marks: dict[str, float]) -> Iterator[None]:
    """Time-stamp the first call of each ``(class, method)`` (patched on the class)."""
    originals = []
    for label, (cls, name) in targets.items():
        original = getattr(cls, name)
        originals.append((cls, name, original))

        def wrapper(*args: Any, _label: str = label, _original: Any = original, **kw: Any) -> Any:
            marks.setdefault(_label, time.perf_counter())
            return _original(*args, **kw)

        setattr(cls, name, wrapper)
    try:
        yield
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)


async def startup_once(reader: Any, profile_dir: Path | None) -> dict[str, float]:
    """One app start in run_test, in ms from ``make_app``: when the sidebar, the list's ids
    and its first rows arrive, and the first paint that shows the first article's row."""
    from tuireader.ui.app import make_app
    from tuireader.ui.widgets.article_list import ArticleList
    from tuireader.ui.widgets.sidebar import Sidebar

    marks: dict[str, float] = {}
    targets = {
        "sidebar_shown": (Sidebar, "show"),
        "list_ids_set": (ArticleList, "set_ids"),
        "list_rows_arrived": (ArticleList, "update_rows"),
    }
    with first_calls(targets, marks), profiled(profile_dir, "startup"):
        made = time.perf_counter()
        app = make_app(reader)
        probe = PaintProbe(app)
        first_paint = probe.next_paint(lambda: _rows_ready(app))
        async with app.run_test(size=SIZE) as pilot:
            entered = time.perf_counter()
            painted = await asyncio.wait_for(first_paint, 60)
            await settle(pilot)
    figures = {"run_test_ready": entered - made}
    figures |= {label: at - made for label, at in sorted(marks.items(), key=lambda kv: kv[1])}
    figures["first_paint_with_rows"] = painted - made
    return {label: value * 1000 for label, value in figures.items()}


async def in_process(
    work: Workdir,
    keys: int,
    key_interval: float,
    results: Results,
    profile_dir: Path | None,
    startup_runs: int = 3,
    gc_freeze: bool = False,
) -> None:
    started = time.perf_counter()
    from tuireader.core import make_reader
    from tuireader.ui.app import make_app

    imported = time.perf_counter()
    reader = make_reader(db_path=work.db, dirs=work.dirs)
    opened = time.perf_counter()
    runs = [await startup_once(reader, profile_dir) for _ in range(startup_runs)]
    startup = {
        "import_app_modules": (imported - started) * 1000,
        "open_store": (opened - imported) * 1000,
    }
    startup |= {label: statistics.median(r[label] for r in runs) for label in runs[0]}
    results.put("inproc_startup_ms", startup)
    results.put("inproc_first_paint_runs_ms", [r["first_paint_with_rows"] for r in runs])
    # a fresh app for keys and search
    app = make_app(reader)
    probe = PaintProbe(app)
    async with app.run_test(size=SIZE) as pilot:
        await asyncio.wait_for(probe.next_paint(lambda: _rows_ready(app)), 60)
        await settle(pilot)
        if gc_freeze:
            # the experiment behind a suggested fix: start-up objects out of the collector's
            # way, so a full collection no longer walks them during key presses
            gc.collect()
            gc.freeze()
        with profiled(profile_dir, "keys"):
            await key_latency(app, pilot, probe, keys, results, key_interval)
        with profiled(profile_dir, "app_search"):
            await app_search(app, pilot, probe, results)
    reader.close()


def _rows_ready(app: Any) -> bool:
    from tuireader.ui.widgets.article_list import ArticleList

    try:
        articles = app.screen.query_one(ArticleList)
    except Exception:
        return False
    return articles.current_id is not None and articles.row(articles.current_id) is not None


async def settle(pilot: Any) -> None:
    """Wait until workers are done and the app is idle."""
    from textual.worker import WorkerCancelled

    with contextlib.suppress(WorkerCancelled):
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def j_series(
    app: Any, pilot: Any, probe: PaintProbe, keys: int, interval: float
) -> dict[str, Any]:
    """Press j ``keys`` times from the top, one key every ``interval`` s (0: as soon as the
    last key is painted); each key timed from sending to the paint that shows it."""
    from textual import events

    from tuireader.ui.widgets.article_list import ArticleList

    articles = app.screen.query_one(ArticleList)
    driver = app._driver
    driver.send_message(events.Key("home", None))
    await settle(pilot)
    latencies: list[float] = []
    placeholders: list[int] = []
    for _ in range(keys):
        target = articles.cursor + 1
        seen: list[int] = []

        def moved(target: int = target, seen: list[int] = seen) -> bool:
            if articles.cursor != target:
                return False
            seen.append(_placeholders(articles))
            return True

        painted = probe.next_paint(moved)
        sent = time.perf_counter()
        driver.send_message(events.Key("j", "j"))
        at = await asyncio.wait_for(painted, 10)
        latencies.append((at - sent) * 1000)
        placeholders.append(seen[0])
        await asyncio.sleep(max(0.0, sent + interval - time.perf_counter()))
    return summary(latencies) | {
        "interval_ms": interval * 1000,
        "placeholder_rows_painted": sum(placeholders),
        "samples": [round(v, 2) for v in latencies],
        "placeholders": placeholders,
    }


async def key_latency(
    app: Any, pilot: Any, probe: PaintProbe, keys: int, results: Results, interval: float
) -> None:
    from textual import events

    from tuireader.ui.widgets.article_list import ArticleList

    articles = app.screen.query_one(ArticleList)
    driver = app._driver
    results.put("key_j_ms", await j_series(app, pilot, probe, keys, interval))
    results.put("key_j_b2b_ms", await j_series(app, pilot, probe, keys, 0.0))

    # A burst: every key sent at once, like a fast key repeat with a busy loop.
    await settle(pilot)
    target = articles.cursor + keys
    painted = probe.next_paint(lambda: articles.cursor == target)
    paints_before = probe.paints
    sent = time.perf_counter()
    for _ in range(keys):
        driver.send_message(events.Key("j", "j"))
    at = await asyncio.wait_for(painted, 60)
    results.put(
        "key_j_burst",
        {
            "keys": keys,
            "total_ms": (at - sent) * 1000,
            "per_key_ms": (at - sent) * 1000 / keys,
            "paints": probe.paints - paints_before,
        },
    )
    # the end key: the list jumps to the oldest unread article
    await settle(pilot)
    painted = probe.next_paint(
        lambda: articles.cursor == len(articles.ids) - 1 and _rows_ready(app)
    )
    sent = time.perf_counter()
    driver.send_message(events.Key("end", None))
    at = await asyncio.wait_for(painted, 60)
    results.put("key_end_to_rows_ms", (at - sent) * 1000)
    await settle(pilot)


async def app_search(app: Any, pilot: Any, probe: PaintProbe, results: Results) -> None:
    from textual import events

    from tuireader.ui.data import SEARCH_LIMIT
    from tuireader.ui.screens.main import MainScreen
    from tuireader.ui.views import ViewKind
    from tuireader.ui.widgets.article_list import ArticleList
    from tuireader.ui.widgets.search_bar import SearchBar

    reader = app.reader
    # what each search must show, found beforehand so the wait cannot stop on an old list:
    # the first matches in the whole library (tab widens / from the view to all articles)
    wanted = {
        text: set(reader.view_search_ids(text, limit=SEARCH_LIMIT))
        for text in SEARCH_QUERIES.values()
    }
    samples: dict[str, list[float]] = {label: [] for label in SEARCH_QUERIES}
    hits: dict[str, int] = {}
    for _ in range(5):
        for label, text in SEARCH_QUERIES.items():
            main = app.screen
            assert isinstance(main, MainScreen)
            await pilot.press("slash")
            if not main.query_one(SearchBar).everywhere:
                await pilot.press("tab")
            await pilot.press(*text)
            articles = main.query_one(ArticleList)

            def shown(main: MainScreen = main, text: str = text, articles: Any = articles) -> bool:
                return (
                    app.screen is main
                    and main.view.kind is ViewKind.SEARCH
                    and main.view.search == text
                    and main.view.within is None
                    and len(articles.ids) == len(wanted[text])
                    and set(articles.ids) == wanted[text]
                    and (not articles.ids or _rows_ready(app))
                )

            painted = probe.next_paint(shown)
            sent = time.perf_counter()
            app._driver.send_message(events.Key("enter", "\r"))
            at = await asyncio.wait_for(painted, 30)
            samples[label].append((at - sent) * 1000)
            hits[label] = len(articles.ids)
            await settle(pilot)
    results.put(
        "app_search_ms",
        {label: summary(values) | {"hits": hits[label]} for label, values in samples.items()},
    )


def store_search(db: Path, results: Results, repeats: int = 30) -> None:
    figures: dict[str, Any] = {}
    with Store(db, read_only=True) as store:
        # ranked: bm25 best match first (the CLI); newest: what the app's search view uses
        for ranked in (True, False):
            for label, text in SEARCH_QUERIES.items():
                times: list[float] = []
                found = 0
                for _ in range(repeats):
                    started = time.perf_counter()
                    ids = store.search_ids(text, rank=ranked)
                    rows = store.summaries(ids)
                    times.append((time.perf_counter() - started) * 1000)
                    found = len(rows)
                key = label if ranked else f"{label} (app, newest)"
                figures[key] = summary(times) | {"query": text, "hits": found}
    results.put("store_search_ms", figures)


def refresh_due_nothing(work: Workdir, results: Results, runs: int = 5) -> None:
    """``tuireader refresh --due`` when no feed is due: wall and CPU of the process.

    Every feed is first marked as fetched now (what a refresh a minute ago leaves), on the
    work copy, so the command has nothing to fetch and measures start-up and the due query.
    """
    with Store(work.db) as store:
        feeds = [(feed.id, 0, None, None) for feed in store.list_feeds()]
        store.record_not_modified_many(feeds)
    argv = [sys.executable, "-m", "tuireader", "--db", str(work.db), "refresh", "--due"]
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, env=work.env, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if not done.stdout.startswith("0 feeds"):
            raise SystemExit(f"refresh --due fetched something: {done.stdout[:200]!r}")
    results.put("refresh_due_s", summary(walls) | {"cpu_median": statistics.median(cpus)})


def import_time(work: Workdir) -> float:
    """Seconds for a fresh interpreter to import the CLI and the app's modules."""
    code = (
        "import time; t = time.perf_counter(); import tuireader.cli, tuireader.ui.app; "
        "print(time.perf_counter() - t)"
    )
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code], env=work.env, capture_output=True, text=True, check=True
        )
        runs.append(float(done.stdout))
    return statistics.median(runs)


# --- the report -------------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def report(results: Results, spec: LibrarySpec) -> None:
    f = results.figures
    print()
    size = f"{SIZE[0]}x{SIZE[1]}"
    print(f"== tuireader UI bench: {spec.feeds} feeds, {spec.articles} articles, {size}")
    print(f"   load average at start {f.get('loadavg', '?')}, cores {os.cpu_count()}")
    if f.get("bytecode") is False:
        print("   --no-bytecode: every launched process compiles tuireader's sources")
    if f.get("gc_freeze"):
        print("   EXPERIMENT: gc.freeze() after start-up in the in-process app")
    rows: list[tuple[str, str, str, str, str]] = []

    def add(label: str, ours: float | None, unit: str, target: float | None, nb: str = "") -> None:
        shown = "-" if ours is None else f"{ours:.3g} {unit}" if unit != "ms" else f"{ours:.1f} ms"
        goal = "" if target is None else f"< {target:g} {unit}"
        check = "" if target is None or ours is None else verdict(ours, target)
        rows.append((label, shown, goal, nb, check))

    paint = f.get("tmux_first_paint_s")
    nb_paint = f.get("newsboat_first_paint_s")
    add(
        "first paint, tmux (median)",
        paint["median"] if paint else None,
        "s",
        TARGETS["first_paint_s"],
        f"{nb_paint['median']:.3f} s" if nb_paint else "n/a",
    )
    if paint and "cpu_median" in paint:
        add("  its CPU at first paint (median)", paint["cpu_median"], "s", None)
    floor = f.get("tmux_floor_paint_s")
    if floor:
        add("  floor: Textual + one Static (median)", floor["median"], "s", None)
        add("  floor's CPU at first paint (median)", floor["cpu_median"], "s", None)
    startup = f.get("inproc_startup_ms")
    if startup:
        add("first paint, run_test (median of 3)", startup["first_paint_with_rows"], "ms", None)
    keys = f.get("key_j_ms")
    if keys:
        add("j at 30 Hz to repaint, median", keys["median"], "ms", None)
        add("j at 30 Hz to repaint, p99", keys["p99"], "ms", TARGETS["nav_p99_ms"])
    b2b = f.get("key_j_b2b_ms")
    if b2b:
        add("j back-to-back, p99", b2b["p99"], "ms", TARGETS["nav_p99_ms"])
    burst = f.get("key_j_burst")
    if burst:
        add(f"j burst x{burst['keys']}, per key", burst["per_key_ms"], "ms", None)
    if "key_end_to_rows_ms" in f:
        add("end to last rows painted", f["key_end_to_rows_ms"], "ms", None)
    memory = f.get("tmux_memory_mb")
    nb_mem = f.get("newsboat_memory_mb")
    if memory:
        nb_text = f"{nb_mem['VmHWM']:.0f} MB" if nb_mem else "n/a"
        add(
            "peak RSS, first paint",
            memory["first_paint"]["VmHWM"],
            "MB",
            TARGETS["rss_mb"],
            nb_text,
        )
        add("peak RSS, after end", memory["after_end"]["VmHWM"], "MB", TARGETS["rss_mb"])
        add(
            "peak RSS, after paging all",
            memory["after_paging_all"]["VmHWM"],
            "MB",
            TARGETS["rss_mb"],
        )
        add("RSS now, after paging all", memory["after_paging_all"]["VmRSS"], "MB", None)
        add("page through all (pagedown, paced)", memory["page_through_s"], "s", None)
    due = f.get("refresh_due_s")
    if due:
        add("refresh --due, nothing due (median)", due["median"], "s", TARGETS["refresh_due_s"])
        add("  its CPU (median)", due["cpu_median"], "s", None)
    for label, fig in (f.get("store_search_ms") or {}).items():
        add(
            f"store search {label} ({fig['hits']}), p99", fig["p99"], "ms", TARGETS["search_p99_ms"]
        )
    for label, fig in (f.get("app_search_ms") or {}).items():
        add(f"/ search {label} to paint, p99", fig["p99"], "ms", TARGETS["search_p99_ms"])
    if f.get("for_you"):
        for label, value, unit, target in foryou_fresh.rows(f["for_you"]):
            add(label, value, unit, target)

    widths = [
        max(len(r[i]) for r in rows + [("metric", "tuireader", "target", "newsboat", "")])
        for i in range(5)
    ]
    header = ("metric", "tuireader", "target", "newsboat", "")
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    if startup:
        print("\nin-process start-up, ms from make_app (median of 3; imports and store once):")
        for key, value in startup.items():
            print(f"  {key:28} {value:8.1f}")
    if "import_s" in f:
        print(f"  {'fresh-interpreter imports':28} {f['import_s'] * 1000:8.1f}")
    for label, fig in (("j at key-repeat rate", keys), ("j back-to-back", b2b)):
        if not fig:
            continue
        print(
            f"{label} (every {fig['interval_ms']:.0f} ms): median {fig['median']:.1f} ms, "
            f"p99 {fig['p99']:.1f} ms, max {fig['max']:.1f} ms over {fig['n']} keys; "
            f"visible rows painted as '…' (not fetched yet): {fig['placeholder_rows_painted']}"
        )
    if paint:
        runs = ", ".join(f"{t:.3f}" for t in paint["runs"])
        print(f"tmux first paint runs (s): {runs}")
        if "cpu_runs" in paint:
            cpu_runs = ", ".join(f"{t:.2f}" for t in paint["cpu_runs"])
            print(f"  CPU used by then (s): {cpu_runs}")
    if floor:
        runs = ", ".join(f"{t:.3f}" for t in floor["runs"])
        cpu_runs = ", ".join(f"{t:.2f}" for t in floor["cpu_runs"])
        print(f"floor (Textual + one Static) runs (s): {runs}; CPU (s): {cpu_runs}")
    if nb_paint:
        runs = ", ".join(f"{t:.3f}" for t in nb_paint["runs"])
        print(f"newsboat first screen runs (s): {runs}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="tmux first-paint runs")
    parser.add_argument("--keys", type=int, default=200, help="j presses")
    parser.add_argument(
        "--key-interval-ms",
        type=float,
        default=33.0,
        help="j key repeat interval (33 ms = 30 Hz); a back-to-back series runs too",
    )
    parser.add_argument("--newsboat", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--tmux", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--in-process", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--for-you",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="For you in fresh processes (bench/foryou_fresh.py), last: it writes its state",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="experiment: gc.freeze() in the app after start-up, before the key and search runs",
    )
    parser.add_argument("--profile", type=Path, help="write cProfile .prof/.txt per phase here")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument(
        "--bytecode",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="launched processes use cached bytecode, as an installed tuireader does "
        "(--no-bytecode: compile on every start when PYTHONDONTWRITEBYTECODE is set)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 20 feeds, 4,000 articles, 2 runs"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.feeds, args.articles, args.runs, args.keys = 20, 4_000, 2, 50

    spec = LibrarySpec(args.feeds, args.articles, args.seed)
    library = make_library.ensure_library(spec)
    results = Results()
    results.put("gc_freeze", args.gc_freeze)
    results.put("loadavg", " ".join(Path("/proc/loadavg").read_text().split()[:3]))
    root = Path(tempfile.mkdtemp(prefix="tuireader-uibench-"))
    try:
        work = make_workdir(root, library, bytecode=args.bytecode)
        results.put("bytecode", args.bytecode)
        expected = Expected.of(work.db)
        results.put("unread_articles", expected.unread_count)
        print(f"library {library.name}: {expected.unread_count} unread; work dir {root}")
        if args.tmux and shutil.which("tmux"):
            tmux = Tmux(work.env)
            try:
                print("tmux: first paint and memory ...", flush=True)
                tmux_first_paint(tmux, work, expected, args.runs, results)
                tmux_floor_paint(tmux, work, args.runs, results)
                binary = shutil.which("newsboat") if args.newsboat else None
                if binary:
                    print("tmux: newsboat ...", flush=True)
                    newsboat_first_paint(tmux, spec, binary, root, args.runs, results)
                elif args.newsboat:
                    print("newsboat not installed: its column is n/a")
            finally:
                tmux.close()
        elif args.tmux:
            print("tmux not installed: the real-terminal figures are skipped")
        print("store search ...", flush=True)
        store_search(work.db, results)
        print("refresh --due with nothing due ...", flush=True)
        refresh_due_nothing(work, results)
        if args.in_process:
            print("in-process: start-up, keys, search ...", flush=True)
            results.put("import_s", import_time(work))
            asyncio.run(
                in_process(
                    work,
                    args.keys,
                    args.key_interval_ms / 1000,
                    results,
                    args.profile,
                    gc_freeze=args.gc_freeze,
                )
            )
        if args.for_you:
            print("For you: fresh processes ...", flush=True)
            results.put("for_you", foryou_fresh.measure(work.db, work.env, runs=3))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        report(results, spec)
        if args.json:
            args.json.write_text(json.dumps(results.figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
