"""First paint of two (or more) source trees, measured in turn: is a change faster?

The VM's speed drifts by 20-50 % over minutes, so two whole ``ui_bench.py`` runs a minute
apart cannot tell a 10 % change from the drift. This launches each tree's app in tmux on
the same copy of the 100k library, one tree after the other, ``--rounds`` times, exactly as
``ui_bench.py`` times its first paint (launch, poll ``capture-pane`` until the first
article's title shows), and prints each tree's median wall and CPU time.

Run: ``python bench/first_paint_ab.py --rounds 12 OLD_TREE NEW_TREE``, where each tree is a
checkout (``git worktree add /tmp/old ce2ac25``); its ``src/`` is what the app imports.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import make_library
import ui_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path, help="checkouts to compare")
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args(argv)
    trees: list[Path] = [tree.resolve() for tree in args.trees]
    library = make_library.ensure_library(make_library.LibrarySpec())
    with tempfile.TemporaryDirectory(prefix="first-paint-ab-") as root:
        work = ui_bench.make_workdir(Path(root), library)
        expected = ui_bench.Expected.of(work.db)
        wanted = [ui_bench.prefix(title) for title in expected.first_titles]
        for tree in trees:  # each tree's bytecode, as an installed app has it
            code = "import tuireader.cli, tuireader.core, tuireader.ui.app"
            env = work.env | {"PYTHONPATH": str(tree / "src")}
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
        runs: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in trees}
        tmux = ui_bench.Tmux(work.env)
        try:
            for _ in range(args.rounds):
                for tree in trees:
                    argv_ = ["env", f"PYTHONPATH={tree / 'src'}", sys.executable, "-m"]
                    argv_ += ["tuireader", "--db", str(work.db)]
                    name, pid, started = tmux.launch(argv_, tree)
                    seen, _ = tmux.wait_for(name, lambda s: any(w in s for w in wanted))
                    runs[tree].append((seen - started, ui_bench.proc_cpu(pid)))
                    tmux.kill(name)
                    ui_bench.wait_gone(pid)
        finally:
            tmux.close()
    for tree, times in runs.items():
        walls = " ".join(f"{wall:.2f}" for wall, _ in times)
        print(
            f"{tree}: first paint median {statistics.median(w for w, _ in times):.3f} s, "
            f"CPU median {statistics.median(c for _, c in times):.3f} s; runs {walls}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
