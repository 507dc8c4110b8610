"""The core never imports Textual or Rich, and its modules form no import loop.

Every headless module is found by walking the package (``pkgutil``), so a new module is
checked without anyone adding it to a list.
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

import tuireader

#: The app's own packages: the only ones allowed to import Textual and Rich at module level.
UI_PACKAGES = ("tuireader.ui",)
#: Running it starts the command line.
NOT_IMPORTABLE = frozenset({"tuireader.__main__"})


def all_modules() -> list[str]:
    names = ["tuireader"]
    for info in pkgutil.walk_packages(tuireader.__path__, prefix="tuireader."):
        names.append(info.name)
    return sorted(names)


def headless_modules() -> list[str]:
    return [
        name
        for name in all_modules()
        if name not in NOT_IMPORTABLE
        and not any(name == p or name.startswith(p + ".") for p in UI_PACKAGES)
    ]


def test_the_walk_finds_the_core_modules() -> None:
    found = set(headless_modules())
    assert {"tuireader.core", "tuireader.store.articles", "tuireader.cli.articles"} <= found
    assert not any(name.startswith("tuireader.ui") for name in found)


def test_no_headless_module_imports_textual_or_rich() -> None:
    """One fresh interpreter imports each headless module in turn and names any offender."""
    code = (
        "import importlib, sys\n"
        "bad = []\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "    if any(m.split('.')[0] in {'textual', 'rich'} for m in sys.modules):\n"
        "        bad.append(name)\n"
        "        break\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *headless_modules()],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "", "imports textual or rich at module level"


def _source(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, in functions too, except those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def module_imports(name: str, known: set[str]) -> set[str]:
    """The tuireader modules ``name`` imports, at once or later (a function's import)."""
    tree = ast.parse(_source(name).read_text(encoding="utf-8"))
    package = name if _source(name).name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_imports(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in known else base)
    # A package's parent is imported first anyway: that is structure, not a loop.
    return {m for m in found if m in known and m != name and not name.startswith(m + ".")}


def find_loop(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (loop := visit(nxt)):
                return loop
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (loop := visit(node)):
            return loop
    return None


def test_find_loop_finds_a_loop() -> None:
    assert find_loop({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_loop({"a": {"b"}, "b": set()}) is None


def test_headless_modules_form_no_import_loop() -> None:
    names = headless_modules()
    known = set(names)
    graph = {name: module_imports(name, known) for name in names}
    assert graph["tuireader.core"], "the import scan found nothing"
    assert find_loop(graph) is None
