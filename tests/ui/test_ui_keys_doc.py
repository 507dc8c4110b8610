"""The README's key table and the help screen name the same keys as the bindings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tuireader.ui.keymap import ACTIONS, keys_for
from tuireader.ui.screens.commandflow import bind_commands
from tuireader.ui.screens.help import help_table

README = Path(__file__).resolve().parents[2] / "README.md"
#: README says "arrows" for these.
ARROWS = {"up", "down"}


def readme_keys() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Keys", 1)[1].split("\n\n", 2)[1]
    keys: set[str] = set()
    for line in table.splitlines():
        # "\\|" is a | inside a cell (the pipe key).
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip("|"))]
        for cell in cells[0::2]:  # the key columns
            cell = cell.replace("`1`..`9`", "`1…9`")
            keys.update(re.findall(r"`([^`]+)`", cell))
    return keys


def bound_keys() -> set[str]:
    keys = {k for a in ACTIONS for k in keys_for(a, {}).split(", ")} - ARROWS
    return keys | {"1…9", "ctrl+p"}


def help_keys() -> set[str]:
    table = help_table({})
    cells = table.columns[0]._cells
    return {k for cell in cells for k in str(cell).split(", ") if k} - ARROWS


def test_readme_key_table_lists_every_bound_key_and_no_other() -> None:
    assert readme_keys() == bound_keys()


def test_help_screen_lists_every_bound_key_with_links_and_palette() -> None:
    assert help_keys() == bound_keys()


def test_the_readme_commands_example_replaces_only_the_key_it_says() -> None:
    """The example bound P, J and C, which became play, next feed and cancel download: a
    new user pasting it lost three keys (and the text spoke of an `o` that was not there)."""
    text = README.read_text(encoding="utf-8").split("### Commands", 1)[1]
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    raw = tomllib.loads(block)["commands"]
    _bound, problems = bind_commands(raw, {})
    assert problems == [
        "[commands] keys replace built-in keys: o (Open in browser)"
        " (rebind those in [keys] to keep them)"
    ]
    assert '(`o` above replaces "open in browser")' in " ".join(text.split())
