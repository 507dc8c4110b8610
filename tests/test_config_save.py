"""Settings the app saves (theme, images) change one line of config.toml, nothing else."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tuireader.config import load_config, save_setting

USERS_FILE = """\
# My tuireader settings (synced from my dotfiles).
theme = "textual-dark"  # dark at night
mark_read = "after_delay"   # give me time
mark_read_delay = 2.5

[keys]
next_unread = "n,ctrl+n"   # as in mutt

[commands]
W = { run = "wc -w", terminal = false }   # word count

[[rules]]
name = "no sponsored posts"
query = 'title:sponsored OR title:"partner content"'
action = "hide"
"""


def test_saving_a_setting_keeps_the_users_comments_and_layout(tmp_path: Path) -> None:
    # Seen in the user trial: pressing c (images) rewrote config.toml from scratch, every
    # comment gone and inline tables turned into [commands.W] sections.
    path = tmp_path / "config.toml"
    path.write_text(USERS_FILE, encoding="utf-8")
    save_setting(path, "theme", "nord")
    save_setting(path, "images", "on-demand")
    text = path.read_text(encoding="utf-8")
    assert text == USERS_FILE.replace('"textual-dark"', '"nord"').replace(
        "mark_read_delay = 2.5\n", 'mark_read_delay = 2.5\nimages = "on-demand"\n'
    )
    loaded = load_config(path)
    assert loaded.problems == ()
    assert (loaded.config.theme, loaded.config.images) == ("nord", "on-demand")


def test_saving_into_a_missing_file_starts_one(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_setting(path, "images", "auto")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"images": "auto"}
